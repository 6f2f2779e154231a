import Backup
import FileIO
import Foundation
import Glibc
import Repository
import Synchronization
import Testing

@Suite("Backup progress and cancellation")
struct BackupProgressTests {
    @Test("progress counts every file scanned and every byte read, and the new and stored bytes")
    func countsWhatHappened() throws {
        let scratch = try Scratch()
        let source = try scratch.fixtureSource()
        let repository = try scratch.makeRepository()
        let progress = BackupProgress()
        let result = try Scratch.backup(repository, [source]) { $0.progress = progress }
        let seen = progress.snapshot()
        let summary = result.recoveryPoint.point.summary
        #expect(seen.filesScanned == summary.files)
        #expect(seen.bytesScanned == summary.bytes)
        #expect(seen.filesRead == summary.filesNew)
        // Sparse files' holes are not read, so at most the scanned bytes are.
        #expect(seen.bytesRead > 0 && seen.bytesRead <= seen.bytesScanned)
        #expect(seen.bytesNew == result.statistics.bytesAdded)
        #expect(seen.bytesUploaded == result.statistics.bytesStored && seen.bytesUploaded > 0)
        #expect(!seen.currentPath.isEmpty)

        let again = BackupProgress()
        _ = try Scratch.backup(repository, [source], parent: result.recoveryPoint, time: "2026-11-24T13:00:00.000000000Z") {
            $0.progress = again
        }
        #expect(again.snapshot().filesScanned == summary.files && again.snapshot().filesRead == 0)
    }

    @Test("a cancelled backup makes no recovery point, leaves a repository that checks clean, and the next one completes")
    func cancelLeavesRepositoryValid() throws {
        let scratch = try Scratch()
        let source = scratch.sub("many")
        try FileIO.makeDirectories(source)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<2000 {
            // Incompressible content, so the backup has real work left when it is cancelled.
            let bytes = (0..<8192).map { _ -> UInt8 in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
            try TreeFixture.write(source + "/file-\(i)", bytes)
        }
        let repository = try scratch.makeRepository()
        let progress = BackupProgress()
        // Cancel from another thread as soon as the workers have started reading.
        let watcher = Thread {
            while progress.snapshot().filesRead == 0 { usleep(200) }
            progress.cancel()
        }
        watcher.start()
        #expect(throws: BackupCancelled.self) {
            try Scratch.backup(repository, [source]) { $0.progress = progress }
        }
        #expect(progress.snapshot().filesRead < 2000)
        let reopened = try scratch.reopen()
        #expect(try reopened.recoveryPoints().isEmpty)
        #expect(try Checker(repository: reopened).run(readData: true).problems.isEmpty)
        let result = try Scratch.backup(reopened, [source])
        #expect(result.recoveryPoint.point.summary.files == 2000)
    }
}
