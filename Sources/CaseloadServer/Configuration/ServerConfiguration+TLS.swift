import CaseloadCore
import Foundation
import NIOSSL

extension ServerConfiguration {
    /// The two TLS files, nil for plain TCP. One without the other is refused rather than
    /// quietly serving plain TCP to clients that expect TLS.
    func tlsFiles() throws -> (certificate: String, privateKey: String)? {
        switch (tlsCertificatePath, tlsPrivateKeyPath) {
        case (nil, nil):
            return nil
        case (let certificate?, let privateKey?):
            return (certificate, privateKey)
        case (_?, nil):
            throw ConfigurationError(
                "tls_private_key is not set but tls_certificate is: TLS needs both (set tls_private_key, CASELOAD_TLS_PRIVATE_KEY or --tls-private-key)")
        case (nil, _?):
            throw ConfigurationError(
                "tls_certificate is not set but tls_private_key is: TLS needs both (set tls_certificate, CASELOAD_TLS_CERTIFICATE or --tls-certificate)")
        }
    }

    /// The listener's TLS context (TLS 1.2 at least), or nil for plain TCP. Both files are
    /// read and checked here, before the server listens; errors name the setting and the file,
    /// never what is in it.
    func makeTLSContext() throws -> NIOSSLContext? {
        guard let (certificatePath, keyPath) = try tlsFiles() else { return nil }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(Self.readPEM(certificatePath, setting: "tls_certificate")) } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("tls_certificate: \(certificatePath) is not a PEM certificate chain")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError("tls_certificate: \(certificatePath) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: Self.readPEM(keyPath, setting: "tls_private_key"), format: .pem) } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError("tls_private_key: \(keyPath) is not an unencrypted PEM private key")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        // When the server closes first (graceful shutdown, idle timeout), NIOSSL waits for the
        // client's close_notify until this timeout even after it came, because the listener allows
        // half-closure (NIOSSL 2.37). The replies are already out by then: keep the wait short.
        tls.shutdownTimeout = .seconds(1)
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw ConfigurationError("tls_private_key: \(keyPath) is not the key of the first certificate in \(certificatePath)")
        }
    }

    private static func readPEM(_ path: String, setting: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("\(setting): cannot read \(path)")
        }
        return Array(data)
    }
}
