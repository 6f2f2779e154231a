import ArgumentParser
import Backup
import Crypto
import FileIO
import Foundation
import ObjectStore
import Repository

/// `haven demo`: a guided backup and restore of a sample folder, for `make run`.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Back up and restore a sample folder, showing each step.")

    @Option(name: .long, help: "Where to put the sample folder, repository and restore (default: a new temporary directory).")
    var directory: String?

    func run() throws {
        try runCommand {
            let base = directory ?? (NSTemporaryDirectory() + "haven-demo-" + Hex.encode(SecureRandom.bytes(4)))
            let source = base + "/sample", repoPath = base + "/repository", target = base + "/restored"
            let passphrase = Hex.encode(SecureRandom.bytes(16))
            try FileIO.makeDirectories(base, mode: 0o700)
            try FileIO.writeFileAtomically(base + "/passphrase", Array(passphrase.utf8), mode: 0o600)
            try makeSample(at: source)
            Output.line("1. A sample folder with documents, photos (random bytes), a sparse disk image and links: \(source)")

            let store = try FilesystemStore.create(root: repoPath, hasher: GlobalOptions.hasher)
            let identity = SystemClock.identity()
            let repository = try Repository.create(store: store, passphrase: Array(passphrase.utf8), identity: identity)
            Output.line("2. A repository, encrypted with a generated passphrase (kept in \(base)/passphrase): \(repoPath)")

            let first = try backup(repository, source)
            Output.line("3. First backup: recovery point \(first.recoveryPoint.shortID), \(first.recoveryPoint.point.summary.filesNew) files read, \(Output.size(first.statistics.bytesStored)) stored")

            try FileIO.writeFileAtomically(source + "/documents/notes.txt", Array("changed after the first backup\n".utf8))
            let second = try backup(repository, source, parent: first.recoveryPoint)
            let s = second.recoveryPoint.point.summary
            Output.line("4. One file changed, second backup: \(s.filesChanged) read again, \(s.filesUnchanged) unchanged, \(Output.size(second.statistics.bytesStored)) stored")

            var options = RestoreOptions(target: target, copyStamp: SystemClock.copyStamp(), threads: SystemClock.processors)
            options.includes = [source]
            let restored = try Restorer(repository: repository, point: first.recoveryPoint, options: options).run()
            Output.line("5. The first recovery point restored to \(target)\(source): \(restored.files) files, \(Output.size(restored.bytes))")

            let report = try Checker(repository: try Repository.open(store: store, passphrase: Array(passphrase.utf8), loadIndex: false)).run(readData: true)
            Output.line("6. check --read-data: \(report.isHealthy ? "no errors" : "\(report.problems.count) errors") in \(report.packs) packs, \(report.blobs) blobs")
            Output.line("")
            Output.line("Try it yourself:")
            Output.line("  export HAVEN_REPOSITORY=\(repoPath) HAVEN_PASSWORD=$(cat \(base)/passphrase)")
            Output.line("  .build/release/haven recovery-points")
            Output.line("  .build/release/haven diff \(first.recoveryPoint.shortID) \(second.recoveryPoint.shortID)")
            Output.line("  .build/release/haven ls latest \(source)")
            Output.line("  .build/release/haven restore latest --target /tmp/elsewhere")
        }
    }

    private func backup(_ repository: Repository, _ source: String, parent: StoredRecoveryPoint? = nil) throws -> BackupResult {
        var options = BackupOptions(paths: [source], identity: SystemClock.identity(), threads: SystemClock.processors)
        options.parent = parent
        let started = SystemClock.monotonic()
        return try Archiver(repository: repository, options: options).run { SystemClock.monotonic() - started }
    }

    private func makeSample(at source: String) throws {
        for folder in ["documents", "photos", "images"] { try FileIO.makeDirectories(source + "/" + folder) }
        for i in 1...20 {
            let text = (1...200).map { "Line \($0) of document \(i): the quick brown fox jumps over the lazy dog." }.joined(separator: "\n")
            try FileIO.writeFileAtomically(source + "/documents/report-\(i).txt", Array(text.utf8), durable: false)
        }
        try FileIO.writeFileAtomically(source + "/documents/notes.txt", Array("first version\n".utf8), durable: false)
        for i in 1...5 {
            try FileIO.writeFileAtomically(source + "/photos/photo-\(i).jpg", SecureRandom.bytes(300_000), durable: false)
        }
        let image = source + "/images/disk.img"
        guard FileManager.default.createFile(atPath: image, contents: nil) else { throw CommandFailure("cannot create \(image)") }
        if let handle = FileHandle(forWritingAtPath: image) {
            try handle.truncate(atOffset: 64 * 1024 * 1024)
            try handle.seek(toOffset: 32 * 1024 * 1024)
            handle.write(Data("a sparse image: 64 MiB in size, 4 KiB of data".utf8))
            try handle.close()
        }
        try FileManager.default.createSymbolicLink(atPath: source + "/latest-report.txt", withDestinationPath: "documents/report-20.txt")
        try FileManager.default.linkItem(atPath: source + "/documents/report-1.txt", toPath: source + "/documents/report-1-hardlink.txt")
    }
}
