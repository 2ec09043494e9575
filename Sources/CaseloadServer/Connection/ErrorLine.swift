import CaseloadCore
import CaseloadProtocol
import NIOCore
import NIOFoundationCompat

extension ByteBuffer {
    /// One error response with a null id, newline included: what a channel handler writes,
    /// below the line encoder, just before it closes a connection it refuses.
    static func errorLine(_ error: RPCError) -> ByteBuffer {
        var line = (try? WireJSON.encode(RPCResponse(id: .null, error: error.boundingEchoes()))).map { ByteBuffer(data: $0) } ?? ByteBuffer()
        line.writeInteger(UInt8(ascii: "\n"))
        return line
    }
}
