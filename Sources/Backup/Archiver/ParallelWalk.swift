import FileIO
import Foundation
import Glibc
import Repository

/// Lists directories ahead of the walking thread on threads of its own, so the walk's system calls (getdents64,
/// statx, readlink) and the loading of the parent point's trees run in parallel while the walker still meets every directory in the one order the recovery
/// point's trees need: the walk's result is the serial walk's, byte for byte.
///
/// The walker asks for a directory's subdirectories in the order it will enter them (`request`), and takes each
/// listing (`take`) in that order. Requests wait on a stack whose top is always the one the walker needs next: a
/// depth-first walk enters the first subdirectory of the directory it entered last, and every request above an
/// older one belongs to a subtree walked before it. A listing no thread has started yet is listed by the walker
/// itself, so nothing can deadlock and one thread is the serial walk; while it waits for a listing in progress, the
/// walker lists the next one it will need. At most `lookahead` listings run ahead of the walker: memory stays
/// bounded, and while the walker waits for the file readers (an initial backup) the listing threads sleep instead of
/// taking a core from them for listings that cannot be used yet.
///
/// `@unchecked Sendable`: the stack, the requests' states and the counters are only touched under `mutex`.
final class ParallelWalk: @unchecked Sendable {
    /// One subdirectory to open below its parent and list, and its tree in the parent point to load.
    final class Request: @unchecked Sendable {
        let parent: WalkedDirectory
        let name: [UInt8]
        /// The recorded path, for excludes and messages.
        let path: [UInt8]
        let previousID: BlobID?
        /// Guarded by the walk's mutex.
        fileprivate var state = State.waiting

        init(parent: WalkedDirectory, name: [UInt8], path: [UInt8], previousID: BlobID?) {
            self.parent = parent
            self.name = name
            self.path = path
            self.previousID = previousID
        }
    }

    fileprivate enum State {
        case waiting, listing, done(Listed), taken

        var isListing: Bool { if case .listing = self { true } else { false } }
    }

    /// What listing one subdirectory found: the opened directory and its listing, or why it could not be opened.
    struct Listed: Sendable {
        /// Nil when the directory could not be opened; `listing` then holds that error.
        let directory: WalkedDirectory?
        let listing: Result<DirectoryListing, SystemError>
        /// The directory's tree in the parent point; nil when there is none or it could not be read (then the
        /// directory is encoded anew, as `Archiver.subtree(of:)` does).
        let previous: Tree?
    }

    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var listed = pthread_cond_t()
    private var allDone = pthread_cond_t()
    private var stack: [Request] = []
    /// Listings started by the walk's threads and not yet taken by the walker.
    private var ahead = 0
    private let lookahead: Int
    private var closed = false
    private var running: Int
    private let excludes: ExcludeMatcher
    /// The walker's own scratch memory and tree reader, for the listings it makes itself.
    private let walkerBuffer = ListingBuffer()
    private let walkerReader: BlobReader

    /// `threads` counts the walker: 1 starts no thread and lists everything on the walker's thread.
    init(threads: Int, repository: Repository, excludes: ExcludeMatcher, lookahead: Int = 64) {
        self.excludes = excludes
        walkerReader = repository.makeBlobReader()
        self.lookahead = max(lookahead, 1)
        running = max(threads, 1) - 1
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&workAvailable, nil)
        pthread_cond_init(&listed, nil)
        pthread_cond_init(&allDone, nil)
        for index in 0..<running {
            Thread.startBackground(named: "haven-walk-\(index)") { [self] in self.work(reader: repository.makeBlobReader()) }
        }
    }

    deinit {
        pthread_cond_destroy(&allDone)
        pthread_cond_destroy(&listed)
        pthread_cond_destroy(&workAvailable)
        pthread_mutex_destroy(&mutex)
    }

    /// Lists a directory the walker opened itself (a source), on the walker's thread.
    func list(_ directory: borrowing Directory, path: [UInt8]) -> Result<DirectoryListing, SystemError> {
        DirectoryListing.list(directory, path: path, excludes: excludes, buffer: walkerBuffer)
    }

    /// Queues subdirectories to list, in the order the walker will take them.
    func request(_ requests: [Request]) {
        guard !requests.isEmpty else { return }
        pthread_mutex_lock(&mutex)
        stack.append(contentsOf: requests.reversed())
        pthread_cond_broadcast(&workAvailable)
        pthread_mutex_unlock(&mutex)
    }

    /// The listing of a requested subdirectory: waits for the thread listing it, or lists it here if none has begun.
    func take(_ request: Request) -> Listed {
        pthread_mutex_lock(&mutex)
        while true {
            switch request.state {
            case .done(let result):
                request.state = .taken
                ahead -= 1
                pthread_cond_signal(&workAvailable)
                pthread_mutex_unlock(&mutex)
                return result
            case .listing, .taken:
                // .taken: a request is taken once; waiting for it again would be a bug in the walker.
                precondition(request.state.isListing, "a directory listing was taken twice")
                // Rather than wait idle, list the next one the walker will need.
                if ahead < lookahead, let next = stack.popLast() {
                    listAhead(next, buffer: walkerBuffer, reader: walkerReader)
                } else {
                    pthread_cond_wait(&listed, &mutex)
                }
            case .waiting:
                if let index = stack.lastIndex(where: { $0 === request }) { stack.remove(at: index) }
                request.state = .listing
                pthread_mutex_unlock(&mutex)
                return Self.list(request, excludes: excludes, buffer: walkerBuffer, reader: walkerReader)
            }
        }
    }

    /// Stops the walk's threads and waits for them; requests not taken are dropped (the walk failed or was cancelled).
    func finish() {
        pthread_mutex_lock(&mutex)
        closed = true
        stack.removeAll()
        pthread_cond_broadcast(&workAvailable)
        while running > 0 { pthread_cond_wait(&allDone, &mutex) }
        pthread_mutex_unlock(&mutex)
    }

    private func work(reader: BlobReader) {
        let buffer = ListingBuffer()
        pthread_mutex_lock(&mutex)
        while true {
            while !closed && (stack.isEmpty || ahead >= lookahead) { pthread_cond_wait(&workAvailable, &mutex) }
            guard !closed, let request = stack.popLast() else { break }
            listAhead(request, buffer: buffer, reader: reader)
        }
        running -= 1
        pthread_cond_broadcast(&allDone)
        pthread_mutex_unlock(&mutex)
    }

    /// Lists a request just taken off the stack, with the mutex released meanwhile; called with the mutex held.
    private func listAhead(_ request: Request, buffer: ListingBuffer, reader: BlobReader) {
        request.state = .listing
        ahead += 1
        pthread_mutex_unlock(&mutex)
        let result = Self.list(request, excludes: excludes, buffer: buffer, reader: reader)
        pthread_mutex_lock(&mutex)
        request.state = .done(result)
        pthread_cond_broadcast(&listed)
    }

    private static func list(_ request: Request, excludes: ExcludeMatcher, buffer: ListingBuffer, reader: BlobReader) -> Listed {
        let previous = request.previousID.flatMap { try? reader.loadTree($0) }
        let opened: Directory
        do { opened = try Directory.open(at: request.parent.directory, name: request.name) } catch {
            return Listed(directory: nil, listing: .failure(error), previous: previous)
        }
        let listing = DirectoryListing.list(opened, path: request.path, excludes: excludes, buffer: buffer)
        return Listed(directory: WalkedDirectory(opened), listing: listing, previous: previous)
    }
}
