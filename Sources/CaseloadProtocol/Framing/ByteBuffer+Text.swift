import NIOCore

extension ByteBuffer {
    /// The buffer's readable bytes as a (possibly invalid) UTF-8 string, for logs and tests.
    public var utf8String: String { String(decoding: readableBytesView, as: UTF8.self) }
}
