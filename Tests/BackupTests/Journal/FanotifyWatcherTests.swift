import Backup
import FileIO
import Foundation
import Glibc
import SystemTesting
import Testing

@Suite("fanotify change watcher on a real filesystem", .serialized)
struct FanotifyWatcherTests {
    /// Makes directories a…k with a file each, then starts watching, so only what the test does next is seen.
    func prepared() throws -> (LoopFilesystem, FanotifyWatcher) {
        let fs = try LoopFilesystem()
        for name in ["a", "b", "c", "d/inner", "e", "f", "g", "h", "i", "j", "k"] {
            try FileIO.makeDirectories(fs.path(name))
            try FileIO.writeFileAtomically(fs.path(name + "/file"), Array("content of \(name)".utf8), durable: false)
        }
        sync()
        let watcher = try FanotifyWatcher()
        try watcher.watch(filesystemAt: fs.mountPoint)
        _ = watcher.poll()
        return (fs, watcher)
    }

    @Test("every kind of change names the directory it happened in, and a directory's own change names its parent too")
    func reportsChangedDirectories() throws {
        let (fs, watcher) = try prepared()
        let fd = open(fs.path("a/new"), O_CREAT | O_WRONLY, 0o644)
        close(fd)
        try FileIO.writeFileAtomically(fs.path("b/file.tmp"), [1], durable: false)
        let existing = open(fs.path("b/file"), O_WRONLY | O_APPEND)
        _ = write(existing, [UInt8]([42]), 1)
        close(existing)
        chmod(fs.path("c/file"), 0o600)
        chmod(fs.path("d/inner"), 0o700)
        rename(fs.path("e/file"), fs.path("f/moved"))
        unlink(fs.path("g/file"))
        mkdir(fs.path("h/sub"), 0o755)
        try Tool.run("/usr/bin/setfattr", ["-n", "user.note", "-v", "x", fs.path("i/file")])
        link(fs.path("k/file"), fs.path("j/linked"))

        let changes = watcher.poll(timeoutMilliseconds: 2000)
        let expected = ["a", "b", "c", "d", "d/inner", "e", "f", "g", "h", "i", "j"].map(fs.path)
        for directory in expected {
            #expect(changes.directories.contains(directory), "\(directory) missing from \(changes.directories.sorted())")
        }
        #expect(!changes.overflowed)
        // Nothing happened directly in the root or in d's sibling directories beyond those named.
        #expect(!changes.directories.contains(fs.path("d/inner/deeper")))
    }

    @Test("a directory's own chmod names its parent, also right after files or a subdirectory were made in it, whose events the kernel may have merged with it")
    func ownChangeAfterOthersNamesParent() throws {
        let (fs, watcher) = try prepared()
        for index in 0..<20 {
            let fd = open(fs.path("a/new-\(index)"), O_CREAT | O_WRONLY, 0o644)
            close(fd)
        }
        chmod(fs.path("a"), 0o700)
        let afterFiles = watcher.poll(timeoutMilliseconds: 2000)
        #expect(afterFiles.directories == [fs.mountPoint, fs.path("a")], "\(afterFiles.directories.sorted())")

        // d/sub is made in d and then d's own mode changes: both name d and are about directories, so they reach
        // the watcher as one event whose mask holds the mkdir and the chmod.
        mkdir(fs.path("d/sub"), 0o755)
        chmod(fs.path("d"), 0o700)
        let merged = watcher.poll(timeoutMilliseconds: 2000)
        #expect(merged.events == 1, "the mkdir and the chmod merged: \(merged.events) events")
        #expect(merged.directories == [fs.mountPoint, fs.path("d")], "\(merged.directories.sorted())")
    }

    @Test("a folder's many changes reach the watcher as a few merged events, not one per file")
    func burstInOneFolderMerges() throws {
        let fs = try LoopFilesystem()
        try FileIO.makeDirectories(fs.path("folder"))
        sync()
        let watcher = try FanotifyWatcher(ignoreMarkLimit: 0)
        try watcher.watch(filesystemAt: fs.mountPoint)
        _ = watcher.poll()
        for index in 0..<500 {
            let fd = open(fs.path("folder/file-\(index)"), O_CREAT | O_WRONLY, 0o644)
            _ = write(fd, [UInt8]([42]), 1)
            close(fd)
        }
        let changes = watcher.poll(timeoutMilliseconds: 2000)
        #expect(changes.directories == [fs.path("folder")])
        // 1,500 events (a create, a modify and a close-write per file) if each file's were distinct.
        #expect(changes.events < 50, "\(changes.events) events for 500 files")
    }

    @Test("a file or directory removed, moved out of the watched path or into it, is reported by its parent alone, without an event of its own")
    func removalsAndMovesNeedNoSelfEvents() throws {
        let fs = try LoopFilesystem()
        for name in ["watched/files", "watched/gone", "watched/leaving/inner", "outside/arriving"] {
            try FileIO.makeDirectories(fs.path(name))
        }
        for name in ["watched/files/deleted", "watched/files/leaving", "watched/gone/file"] {
            try FileIO.writeFileAtomically(fs.path(name), [1], durable: false)
        }
        sync()
        let watcher = try FanotifyWatcher(ignoreMarkLimit: 0)
        try watcher.watch(filesystemAt: fs.path("watched"))
        _ = watcher.poll()

        unlink(fs.path("watched/files/deleted"))
        rename(fs.path("watched/files/leaving"), fs.path("outside/left"))
        let files = watcher.poll(timeoutMilliseconds: 2000)
        #expect(files.directories == [fs.path("watched/files")])
        // The delete and the moved-from both name files and merge into one event; the moved-to names outside.
        #expect(files.events == 2, "a delete and a moved-from in files, a moved-to outside: \(files.events)")

        unlink(fs.path("watched/gone/file"))
        rmdir(fs.path("watched/gone"))
        rename(fs.path("watched/leaving"), fs.path("outside/left-dir"))
        rename(fs.path("outside/arriving"), fs.path("watched/arrived"))
        let directories = watcher.poll(timeoutMilliseconds: 2000)
        #expect(directories.directories == [fs.path("watched")], "\(directories.directories.sorted())")
        // The delete in gone (gone itself is gone by the time it is read); the rmdir, leaving's moved-from and
        // arrived's moved-to, merged as all name watched; and the two moves' ends in outside, merged: no
        // FAN_DELETE_SELF or FAN_MOVE_SELF, which would be events of gone and leaving, apart from these.
        #expect(directories.events == 3, "\(directories.events) events")
    }

    @Test("changes on another filesystem are not reported")
    func otherFilesystemsIgnored() throws {
        let (fs, watcher) = try prepared()
        let other = try LoopFilesystem()
        try FileIO.writeFileAtomically(other.path("elsewhere"), [1], durable: false)
        let changes = watcher.poll(timeoutMilliseconds: 300)
        #expect(!changes.directories.contains { $0.hasPrefix(other.mountPoint) })
        #expect(!changes.directories.contains { $0.hasPrefix(fs.mountPoint) })
    }

    @Test("a flood of events that the queue cannot hold is reported as an overflow")
    func overflowIsReported() throws {
        // A group takes the queue limit in force when it is made: make it small for this one.
        let (fs, watcher) = try withKernelSetting("/proc/sys/fs/fanotify/max_queued_events", "512") { try prepared() }
        // A file in each of 2,000 folders: events of one folder merge, so only as many folders fill the queue.
        for index in 0..<2_000 {
            mkdir(fs.path("a/d\(index)"), 0o755)
            let fd = open(fs.path("a/d\(index)/f"), O_CREAT | O_WRONLY, 0o644)
            close(fd)
        }
        var overflowed = false
        for _ in 0..<10 where !overflowed {
            overflowed = watcher.poll(timeoutMilliseconds: 200).overflowed
        }
        #expect(overflowed)
    }
}
