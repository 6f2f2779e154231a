import Foundation
import HTTPServer
import VaultAPI
import VaultPortal

/// The one handler `haven vault serve` listens with: the machine API for its paths, the portal for every other.
///
/// The portal is attached after the server started, because the address written into credentials files
/// depends on the port the server got. `@unchecked Sendable` is safe: `portal` is written once under `lock`
/// and only read under it.
final class VaultFrontDoor: @unchecked Sendable {
    private let api: VaultAPI
    private let lock = NSLock()
    private var portal: VaultPortal?

    init(api: VaultAPI) { self.api = api }

    func attach(_ portal: VaultPortal) { lock.withLock { self.portal = portal } }

    func handle(_ request: Request) async -> Response {
        if VaultAPI.handles(path: request.path) { return await api.handle(request) }
        guard let portal = lock.withLock({ portal }) else {
            return .text("The vault portal is starting; reload in a moment.\n", status: 503)
        }
        return await portal.handle(request)
    }
}
