/// The watcher's ignore marks: a directory is reported once and the kernel then drops the events about its files until
/// a backup's mark; what the marks must not hide; and what happens at their limit.
import Backup
import FileIO
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("fanotify ignore marks on reported directories", .serialized)
struct FanotifyIgnoreMarkTests {
    static let directories = ["a", "b", "c", "d/inner", "e", "f", "g", "h", "i", "j", "k"]

    /// Directories with a file each, watched from a mark on, so only what the test does next is seen.
    func prepared(limit: Int? = nil) throws -> (LoopFilesystem, FanotifyWatcher) {
        let fs = try LoopFilesystem()
        for name in Self.directories {
            try FileIO.makeDirectories(fs.path(name))
            try FileIO.writeFileAtomically(fs.path(name + "/file"), Array("content of \(name)".utf8), durable: false)
        }
        sync()
        let watcher = try FanotifyWatcher(ignoreMarkLimit: limit)
        try watcher.watch(filesystemAt: fs.mountPoint)
        _ = watcher.pollForMark()
        return (fs, watcher)
    }

    /// Appends to (or creates) a file: a modify and a close-write event, plus a create for a new one.
    func touch(_ path: String) {
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
        _ = write(fd, [UInt8]([42]), 1)
        close(fd)
    }

    @Test("a directory is reported once, then the kernel drops every event about its files, while other directories are still reported")
    func reportedOnceThenDropped() throws {
        let (fs, watcher) = try prepared()
        touch(fs.path("a/file"))
        let first = watcher.poll(timeoutMilliseconds: 2000)
        #expect(first.directories == [fs.path("a")])
        #expect(watcher.ignoredDirectories == 1)

        for index in 0..<50 {
            touch(fs.path("a/new-\(index)"))
            rename(fs.path("a/new-\(index)"), fs.path("a/renamed-\(index)"))
            if index % 2 == 0 { unlink(fs.path("a/renamed-\(index)")) }
        }
        chmod(fs.path("a/file"), 0o600)
        rename(fs.path("a/renamed-1"), fs.path("b/from-a"))
        let second = watcher.poll(timeoutMilliseconds: 500)
        #expect(second.events == 1, "only the arrival in b: \(second.events) events")
        #expect(second.directories == [fs.path("b")])
    }

    @Test("after a backup's mark, a new change in a directory that was ignored is reported again")
    func markReportsAgain() throws {
        let (fs, watcher) = try prepared()
        touch(fs.path("a/file"))
        #expect(watcher.poll(timeoutMilliseconds: 2000).directories == [fs.path("a")])
        // Dropped: a was reported since the last mark, so the backup taking this mark lists it anyway.
        touch(fs.path("a/file"))
        let atMark = watcher.pollForMark(timeoutMilliseconds: 300)
        #expect(atMark.events == 0 && !atMark.overflowed)
        #expect(watcher.ignoredDirectories == 0)

        touch(fs.path("a/file"))
        #expect(watcher.poll(timeoutMilliseconds: 2000).directories == [fs.path("a")])
        #expect(watcher.ignoredDirectories == 1)
    }

    @Test("ignore marks older than their lifetime are removed by the next poll, even one that reads nothing, and the directory is reported again")
    func marksExpire() throws {
        let (fs, watcher) = try prepared()
        watcher.ignoreMarkLifetime = 1
        touch(fs.path("a/file"))
        #expect(watcher.poll(timeoutMilliseconds: 2000).directories == [fs.path("a")])
        #expect(watcher.ignoredDirectories == 1)
        touch(fs.path("a/file"))
        #expect(watcher.poll(timeoutMilliseconds: 300).events == 0, "dropped while the mark is young")

        usleep(1_100_000)
        #expect(watcher.poll().events == 0)
        #expect(watcher.ignoredDirectories == 0, "an idle poll removed the expired mark")
        touch(fs.path("a/file"))
        let again = watcher.poll(timeoutMilliseconds: 2000)
        #expect(again.directories == [fs.path("a")])
        #expect(watcher.ignoredDirectories == 1, "marked again")
    }

    @Test("an ignore mark does not hide a directory's own change, move or removal, which its parent must record")
    func ownChangesStillReported() throws {
        let (fs, watcher) = try prepared()
        for name in ["d/inner", "e", "c", "f"] { touch(fs.path(name + "/file")) }
        let recorded = watcher.poll(timeoutMilliseconds: 2000)
        #expect(recorded.directories == Set(["d/inner", "e", "c", "f"].map(fs.path)))
        #expect(!recorded.directories.contains(fs.path("d")))

        // inner's mode lives in d's listing, and d has no mark: inner's own mark must not hide the event.
        chmod(fs.path("d/inner"), 0o700)
        let own = watcher.poll(timeoutMilliseconds: 2000)
        #expect(own.directories.contains(fs.path("d")), "\(own.directories.sorted())")

        // e moves: its old and new parents are reported. Its mark goes with it, so a change in it under its new name
        // is dropped; a backup lists b, finds e-moved new there, and lists it whole.
        rename(fs.path("e"), fs.path("b/e-moved"))
        touch(fs.path("b/e-moved/file"))
        let moved = watcher.poll(timeoutMilliseconds: 2000)
        #expect(moved.directories == [fs.mountPoint, fs.path("b")], "\(moved.directories.sorted())")

        // c is emptied (dropped) and removed: its parent is reported.
        unlink(fs.path("c/file"))
        rmdir(fs.path("c"))
        // A subdirectory made in f, which is ignored: f's listing changed, and the event still arrives.
        mkdir(fs.path("f/sub"), 0o755)
        let removed = watcher.poll(timeoutMilliseconds: 2000)
        #expect(removed.directories.contains(fs.mountPoint), "\(removed.directories.sorted())")
        #expect(removed.directories.contains(fs.path("f")), "\(removed.directories.sorted())")
    }

    @Test("at the watcher's limit on ignore marks, directories beyond it are reported on every change")
    func limitDegradesToEveryEvent() throws {
        let (fs, watcher) = try prepared(limit: 1)
        /// Writes a file in each named directory and returns the names the next poll reports.
        func reported(_ names: String...) -> Set<String> {
            for name in names { touch(fs.path(name + "/file")) }
            return Set(watcher.poll(timeoutMilliseconds: 2000).directories.map { String($0.dropFirst(fs.mountPoint.count + 1)) })
        }
        #expect(reported("a") == ["a"])
        #expect(reported("b") == ["b"])
        #expect(watcher.ignoredDirectories == 1)
        #expect(reported("a", "b") == ["b"], "a is ignored, b is not")

        // A mark frees the limit again: b now gets the one mark.
        _ = watcher.pollForMark()
        #expect(reported("b") == ["b"])
        #expect(watcher.ignoredDirectories == 1)
        #expect(reported("a", "b") == ["a"], "now b is ignored and a is not")
    }

    @Test("when the kernel refuses more marks (fs.fanotify.max_user_marks), the directories left without one are still reported")
    func kernelLimitDegradesToEveryEvent() throws {
        let (fs, watcher) = try prepared()
        // Root's marks in every group count against this limit: a few beyond this group's filesystem mark, or none
        // if other groups of root hold some. Set back at once, whatever happens.
        let names = Self.directories.filter { $0 != "d/inner" }
        let firstRound = try withKernelSetting("/proc/sys/fs/fanotify/max_user_marks", "4") {
            names.flatMap { name in
                touch(fs.path(name + "/file"))
                return watcher.poll(timeoutMilliseconds: 2000).directories
            }
        }
        #expect(Set(firstRound) == Set(names.map(fs.path)), "every directory is reported the first time")
        let marked = watcher.ignoredDirectories
        #expect(marked <= 3, "\(marked) marks under a limit of 4")

        for name in names { touch(fs.path(name + "/file")) }
        let secondRound = watcher.poll(timeoutMilliseconds: 2000).directories
        #expect(secondRound.count == names.count - marked, "\(secondRound.sorted()) with \(marked) marked")
        #expect(secondRound.isSubset(of: Set(names.map(fs.path))))
    }
}
