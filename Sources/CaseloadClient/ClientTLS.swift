import CaseloadProtocol
import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// TLS for a client connection. The server's certificate chain is verified against the CAs in
/// a PEM file (a private CA) or, without one, the system's trusted CAs; and the certificate must
/// be for the name dialled (or `serverName`). TLS 1.2 at least.
public struct ClientTLS: Sendable {
    let context: NIOSSLContext
    /// The DNS name the server's certificate must carry; nil: the host dialled (a DNS name, or
    /// an IP address the certificate must list).
    public let serverName: String?
    /// How long the handshake may take; a server that does not speak TLS may never answer.
    public let handshakeTimeout: Duration

    /// Reads the CA file now, so a bad path fails here rather than on connect.
    public init(caFile: String? = nil, serverName: String? = nil, handshakeTimeout: Duration = .seconds(10)) throws {
        if let serverName, Self.isIPAddress(serverName) {
            throw TLSFailure("the TLS server name must be a DNS name, not \(serverName); to verify an IP address, dial it and give no server name")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile {
            guard let pem = FileManager.default.contents(atPath: caFile) else {
                throw TLSFailure("cannot read the CA file \(caFile)")
            }
            let roots = (try? NIOSSLCertificate.fromPEMBytes(Array(pem))) ?? []
            guard !roots.isEmpty else { throw TLSFailure("the CA file \(caFile) holds no PEM certificate") }
            configuration.trustRoots = .certificates(roots)
        }
        self.context = try NIOSSLContext(configuration: configuration)
        self.serverName = serverName
        self.handshakeTimeout = handshakeTimeout
    }

    /// The name sent in SNI and checked against the certificate; nil for an IP address, which
    /// NIOSSL then checks against the address actually connected to.
    func verifiedName(dialling host: String) -> String? {
        if let serverName { return serverName }
        return Self.isIPAddress(host) ? nil : host
    }

    static func isIPAddress(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }
}

/// A TLS connection could not be set up; the description says why in a user's terms.
public struct TLSFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Holds a new TLS connection's caller until the handshake is done, so `LineChannel.connect`
/// returns a verified connection or a `TLSFailure` saying why not, instead of the first call
/// failing with a raw NIOSSL error (or waiting forever on a server that does not speak TLS).
final class TLSHandshakeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let done: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private let tlsHandler: NIOSSLClientHandler
    /// The DNS name the certificate must list; nil when verifying the IP address dialled.
    private let dnsName: String?
    /// What was verified, for messages.
    private let name: String
    private var timer: Scheduled<Void>?
    private var finished = false

    init(done: EventLoopPromise<Void>, timeout: Duration, tlsHandler: NIOSSLClientHandler, dnsName: String?, name: String) {
        self.done = done
        self.timeout = TimeAmount(timeout)
        self.tlsHandler = tlsHandler
        self.dnsName = dnsName
        self.name = name
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.finish(.failure(TLSFailure("no TLS handshake within \(self.timeout.nanoseconds / 1_000_000_000) s (does the server speak TLS?)")))
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(TLSFailure("the connection closed during the TLS handshake")))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            // NIOSSL also accepts a certificate for the IP address connected to when a DNS name
            // was asked for; a name asked for must be in the certificate itself.
            if let dnsName, !(tlsHandler.peerCertificate.map { Self.certificate($0, lists: dnsName) } ?? false) {
                finish(.failure(TLSFailure("the server's certificate is not valid for \(dnsName) (its subjectAltName does not list it)")))
                context.close(promise: nil)
                return
            }
            finish(.success(()))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(Self.explain(error, name: name)))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(TLSFailure("the server closed the connection during the TLS handshake (does it speak TLS?)")))
        context.fireChannelInactive()
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        done.completeWith(result)
    }

    /// Whether `certificate`'s subjectAltName lists `name` (case-insensitive; `*.example.com`
    /// stands for exactly one label, as in RFC 6125).
    static func certificate(_ certificate: NIOSSLCertificate, lists name: String) -> Bool {
        var wanted = name.lowercased()
        if wanted.hasSuffix(".") { wanted.removeLast() }
        for entry in certificate._subjectAlternativeNames() where entry.nameType == .dnsName {
            var listed = entry.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }.lowercased()
            if listed.hasSuffix(".") { listed.removeLast() }
            if listed == wanted { return true }
            if listed.hasPrefix("*."), let dot = wanted.firstIndex(of: "."), dot != wanted.startIndex, wanted[dot...] == listed.dropFirst() {
                return true
            }
        }
        return false
    }

    /// NIOSSL's errors, said in a user's terms (the original follows in parentheses).
    static func explain(_ error: any Error, name: String) -> TLSFailure {
        let detail = String(describing: error)
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return TLSFailure("the server's certificate is not valid for \(name) (\(detail))")
        }
        if detail.contains("CERTIFICATE_VERIFY_FAILED") {
            return TLSFailure("the server's certificate is not signed by a trusted CA; give the CA's certificate (\(detail))")
        }
        if detail.contains("WRONG_VERSION_NUMBER") || detail.contains("HTTP_REQUEST") || detail.contains("UNEXPECTED_RECORD") {
            return TLSFailure("the server does not speak TLS (\(detail))")
        }
        return TLSFailure("TLS handshake failed (\(detail))")
    }
}
