import Foundation
import Glibc
import HTTPServer
import ObjectStore
import Vault
import VaultProtocol

/// The object endpoints: HEAD, GET (with one byte range), PUT (verified, write-once), DELETE (locks; keys with a PIN), listing.
extension VaultAPI {
    func routeObjects(_ request: Request, caller: AuthenticatedMachine, machine: String, parts: [String]) throws -> Response {
        guard let kindName = parts.first, let kind = ObjectKind(rawValue: kindName), parts.count <= 2 else {
            throw VaultError(.notFound, "no such object kind or path; kinds are "
                + ObjectKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard parts.count == 2 else {
            guard request.method == "GET" else { throw Self.methodNotAllowed(request, allowed: "GET") }
            return try list(request, caller: caller, machine: machine, kind: kind)
        }
        let key: ObjectKey
        do { key = try ObjectKey(kind, parts[1]) } catch {
            throw VaultError(.invalidRequest, error.message)
        }
        switch request.method {
        case "HEAD":
            let object = try service.openObject(caller: caller, machine: machine, key: key)
            // A HEAD with the caller's lease on its own object is a resumption check: the object counts as uploaded now.
            if let lease = request.headers[VaultHeader.lease], machine == caller.id {
                do { try service.touchObject(caller: caller, key: key, lease: lease) } catch {
                    close(object.descriptor)
                    throw error
                }
            }
            return Response(fileDescriptor: object.descriptor, length: UInt64(object.size), headers: ["Accept-Ranges": "bytes"])
        case "GET": return try get(request, caller: caller, machine: machine, key: key)
        case "PUT":
            let created = try service.putObject(caller: caller, machine: machine, key: key, bytes: request.body,
                                                lease: request.headers[VaultHeader.lease])
            return Response(status: created ? 201 : 200)
        case "DELETE":
            try service.deleteObject(caller: caller, machine: machine, key: key, pin: Self.pin(request))
            return Self.noContent()
        default: throw Self.methodNotAllowed(request, allowed: "HEAD, GET, PUT, DELETE")
        }
    }

    private func get(_ request: Request, caller: AuthenticatedMachine, machine: String, key: ObjectKey) throws -> Response {
        let object = try service.openObject(caller: caller, machine: machine, key: key)
        guard let header = request.headers["Range"] else {
            return Response(fileDescriptor: object.descriptor, length: UInt64(object.size),
                            headers: ["Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"])
        }
        guard let (first, last) = Self.parseRange(header) else {
            close(object.descriptor)
            throw VaultError(.invalidRequest, "the Range header must be one range with both ends, bytes=A-B (inclusive)")
        }
        guard first <= last, last < object.size else {
            close(object.descriptor)
            var response = Self.error(VaultError(.rangeNotSatisfiable, "\(key) has \(object.size) bytes; "
                + "the range bytes=\(first)-\(last) is not inside it"))
            response.headers.add("Content-Range", "bytes */\(object.size)")
            return response
        }
        return Response(fileDescriptor: object.descriptor, offset: UInt64(first), length: UInt64(last - first + 1), status: 206,
                        headers: ["Content-Type": "application/octet-stream", "Content-Range": "bytes \(first)-\(last)/\(object.size)"])
    }

    /// `bytes=A-B` with both ends: (A, B); nil for any other form.
    static func parseRange(_ header: String) -> (Int, Int)? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes=") else { return nil }
        let bounds = text.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds.allSatisfy({ !$0.isEmpty && $0.count <= 18 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let first = Int(bounds[0]), let last = Int(bounds[1])
        else { return nil }
        return (first, last)
    }

    private func list(_ request: Request, caller: AuthenticatedMachine, machine: String, kind: ObjectKind) throws -> Response {
        var limit = 1000
        if let text = request.queryValue("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw VaultError(.invalidRequest, "limit must be a whole number from 1 to 1000; got \(String(reflecting: String(text.prefix(20))))")
            }
            limit = value
        }
        let after = request.queryValue("after")
        if let after, after.utf8.count > 64 {
            throw VaultError(.invalidRequest, "after must be an object name (at most 64 characters)")
        }
        let page = try service.listObjects(caller: caller, machine: machine, kind: kind, after: after, limit: limit)
        return Self.json(PageBody(objects: page.objects.map { .init(name: $0.name, size: $0.size) }, next: page.next))
    }

    /// `ObjectListPage` with `next` written as null on the last page, as the contract shows it.
    private struct PageBody: Encodable {
        var objects: [ObjectListPage.Entry]
        var next: String?

        enum CodingKeys: String, CodingKey { case objects, next }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(objects, forKey: .objects)
            try container.encode(next, forKey: .next)
        }
    }
}
