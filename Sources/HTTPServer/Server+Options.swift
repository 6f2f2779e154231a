/// Translating a Configuration into libmicrohttpd's option array and listen address.
internal import CMicroHTTPD
import Glibc

extension Server {
    static func fill(_ address: UnsafeMutablePointer<sockaddr_in>, from configuration: Configuration) throws {
        address.pointee.sin_family = sa_family_t(AF_INET)
        address.pointee.sin_port = configuration.port.bigEndian
        let text: String
        switch configuration.address {
        case .loopback: text = "127.0.0.1"
        case .any: text = "0.0.0.0"
        case .ipv4(let dotted): text = dotted
        }
        guard inet_pton(AF_INET, text, &address.pointee.sin_addr) == 1 else {
            throw HTTPServerError(
                code: .invalidAddress, message: "\"\(text)\" is not an IPv4 address; use dotted form such as 192.168.1.10")
        }
    }

    static func baseOptions(_ configuration: Configuration, address: UnsafeMutablePointer<sockaddr_in>)
        -> [MHD_OptionItem]
    {
        let timeout = max(1, configuration.connectionTimeout.components.seconds)
        return [
            MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(address)),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: max(1, configuration.connectionLimit), ptr_value: nil),
            MHD_OptionItem(
                option: .PER_IP_CONNECTION_LIMIT, value: max(0, configuration.perAddressConnectionLimit),
                ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: Int(timeout), ptr_value: nil),
        ]
    }

    /// The completion and connection callbacks; .ARRAY passes a function pointer in `value`.
    static func callbackOptions(_ context: UnsafeMutableRawPointer) -> [MHD_OptionItem] {
        let completed: MHD_RequestCompletedCallback = { context, _, requestContext, _ in
            Unmanaged<Dispatcher>.fromOpaque(context!).takeUnretainedValue().completed(requestContext)
        }
        let connection: MHD_NotifyConnectionCallback = { context, _, _, event in
            if event == .CONNECTION_NOTIFY_STARTED {
                Unmanaged<Dispatcher>.fromOpaque(context!).takeUnretainedValue().connectionStarted()
            }
        }
        return [
            MHD_OptionItem(
                option: .NOTIFY_COMPLETED, value: Int(bitPattern: unsafeBitCast(completed, to: UnsafeRawPointer.self)),
                ptr_value: context),
            MHD_OptionItem(
                option: .NOTIFY_CONNECTION,
                value: Int(bitPattern: unsafeBitCast(connection, to: UnsafeRawPointer.self)), ptr_value: context),
        ]
    }

    static func describe(_ configuration: Configuration) -> String {
        let host: String
        switch configuration.address {
        case .loopback: host = "127.0.0.1"
        case .any: host = "0.0.0.0"
        case .ipv4(let dotted): host = dotted
        }
        return "\(host):\(configuration.port)\(configuration.tls == nil ? "" : " (HTTPS)")"
    }
}
