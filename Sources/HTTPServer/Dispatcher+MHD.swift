/// Reading requests out of and queueing responses into libmicrohttpd connections.
internal import CMicroHTTPD
import Glibc

extension Dispatcher {
    /// Turns a Response into an MHD response and queues it; headers MHD manages itself are skipped.
    func queue(_ response: Response, on connection: OpaquePointer) -> MHD_Result {
        let created: OpaquePointer?
        switch response.body {
        case .bytes(let bytes):
            created = bytes.withUnsafeBytes { raw in
                MHD_create_response_from_buffer(
                    raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
            }
        case .file(let descriptor, let offset, let length):
            // MHD owns the descriptor from here and closes it when the response is destroyed.
            created = MHD_create_response_from_fd_at_offset64(length, descriptor, offset)
            if created == nil { close(descriptor) }
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers where name.lowercased() != "content-length" {
            _ = MHD_add_response_header(created, name, value)
        }
        if isDraining {
            _ = MHD_add_response_header(created, "Connection", "close")
        }
        let status = (100...599).contains(response.status) ? UInt32(response.status) : 500
        return MHD_queue_response(connection, status, created)
    }

    static func headers(of connection: OpaquePointer) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in values(of: connection, kind: .HEADER_KIND) { headers.add(name, value) }
        return headers
    }

    static func query(of connection: OpaquePointer) -> [Request.QueryItem] {
        values(of: connection, kind: .GET_ARGUMENT_KIND).map { Request.QueryItem(name: $0.0, value: $0.1) }
    }

    static func clientAddress(of connection: OpaquePointer) -> String? {
        guard let address = CMicroHTTPD_client_address(connection) else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                var ip = inet.pointee.sin_addr
                _ = inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
            }
        case AF_INET6:
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet6 in
                var ip = inet6.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
            }
        default:
            return nil
        }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private final class Collector {
        var pairs: [(String, String)] = []
    }

    private static func values(of connection: OpaquePointer, kind: MHD_ValueKind) -> [(String, String)] {
        let collector = Collector()
        withExtendedLifetime(collector) {
            _ = MHD_get_connection_values(
                connection, kind,
                { context, _, key, value in
                    let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                    collector.pairs.append((key.map { String(cString: $0) } ?? "", value.map { String(cString: $0) } ?? ""))
                    return .YES
                },
                Unmanaged.passUnretained(collector).toOpaque())
        }
        return collector.pairs
    }
}
