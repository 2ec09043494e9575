import Foundation
import NIOCore
import NIOPosix

/// Why a connection to the server failed, in words a user reads ("nothing is listening
/// there"), not NIO's description of its attempts.
public enum ConnectionFailure {
    /// A short reason for `error`, or nil when it is not a failure to connect.
    public static func reason(_ error: any Error) -> String? {
        switch error {
        case let failure as NIOConnectionError:
            if failure.dnsAError != nil || failure.dnsAAAAError != nil { return "the host name does not resolve" }
            return failure.connectionErrors.lazy.compactMap { reason($0.error) }.first ?? "no connection could be made"
        case let io as IOError:
            switch io.errnoCode {
            case ECONNREFUSED: return "nothing is listening there"
            case ECONNRESET, EPIPE: return "the connection was reset"
            case ETIMEDOUT: return "no answer in time"
            case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached"
            default: return String(cString: strerror(io.errnoCode)).lowercased()
            }
        case ChannelError.connectTimeout:
            return "no answer in time"
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.alreadyClosed:
            return "the server closed the connection"
        default:
            return nil
        }
    }
}
