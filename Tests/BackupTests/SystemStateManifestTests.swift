// Tests for reading a system state manifest as untrusted input: every limit of docs/system-state.md is enforced
// with a clear error, and what is merely unknown is tolerated.
import Backup
import Testing

@Suite("System state manifest")
struct SystemStateManifestTests {
    func manifest(_ components: [SystemStateManifest.Component]) -> SystemStateManifest {
        SystemStateManifest(hostname: "web1", collectedAt: "2026-12-03T02:00:00Z", os: "Debian", kernel: "6.1", architecture: "x86_64",
                            components: components)
    }

    func component(id: String = "etc", path: String = "/etc", output: String = "/.haven-system-state/etc/x") -> SystemStateManifest.Component {
        SystemStateManifest.Component(
            id: id, title: "T", description: "D", status: .ok, message: nil, paths: [.init(path: path, present: true)],
            commands: [.init(arguments: ["tool"], output: output, status: .ok, exitStatus: 0, message: nil)], generated: [])
    }

    func json(_ manifest: SystemStateManifest) throws -> String {
        String(decoding: try manifest.encoded(), as: UTF8.self)
    }

    @Test("a manifest round-trips through its JSON")
    func roundTrip() throws {
        let original = manifest([component(), component(id: "packages")])
        #expect(try SystemStateManifest.decode(try original.encoded()) == original)
    }

    @Test("bad ids, unclean paths, outputs outside the virtual root and repeated components are refused",
          arguments: [("../etc", "/etc", "/.haven-system-state/etc/x"), ("ETC", "/etc", "/.haven-system-state/etc/x"),
                      ("etc", "/etc/../root", "/.haven-system-state/etc/x"), ("etc", "etc", "/.haven-system-state/etc/x"),
                      ("etc", "/etc//x", "/.haven-system-state/etc/x"), ("etc", "/", "/.haven-system-state/etc/x"),
                      ("etc", "/etc", "/root/.ssh/authorized_keys"), ("etc", "/etc", "/.haven-system-state/../x"),
                      ("etc", "/etc", "/.haven-system-state"), ("etc", "/e\u{0}tc", "/.haven-system-state/etc/x")])
    func refused(id: String, path: String, output: String) throws {
        let bad = manifest([component(id: id, path: path, output: output)])
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try bad.encoded()) }
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try manifest([component(), component()]).encoded()) }
    }

    @Test("size, count and format limits are enforced")
    func limits() throws {
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode([UInt8](repeating: 0x20, count: SystemStateManifest.maxSize + 1)) }
        let many = manifest((0..<65).map { component(id: "c\($0)") })
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try many.encoded()) }
        var long = component()
        long.message = String(repeating: "x", count: 5000)
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try manifest([long]).encoded()) }
        var other = manifest([component()])
        other.format = "something-else"
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try other.encoded()) }
        var future = manifest([component()])
        future.version = 2
        let error = #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(try future.encoded()) }
        #expect(error?.message.contains("update Haven") == true)
        #expect(throws: SystemStateError.self) { try SystemStateManifest.decode(Array("not json".utf8)) }
    }

    @Test("unknown fields are ignored and an unknown status reads as failed")
    func tolerant() throws {
        var text = try json(manifest([component()]))
        text = text.replacingOccurrences(of: "\"status\" : \"ok\"", with: "\"status\" : \"exploded\"")
        text = text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 1, \"future\" : [1, 2]")
        let read = try SystemStateManifest.decode(Array(text.utf8))
        #expect(read.components[0].status == .failed)
        #expect(read.components[0].commands[0].status == .failed)
    }
}
