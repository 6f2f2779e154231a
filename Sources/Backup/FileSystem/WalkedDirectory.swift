/// An open `Directory` shared by reference between the walking thread and the threads that list its subdirectories
/// ahead of it (`ParallelWalk`): its descriptor closes when the last of them lets go.
///
/// Checked `Sendable`: the one stored property is an immutable, `Sendable` directory, and every call made through
/// it is a *at system call on its descriptor, which threads may make at the same time.
final class WalkedDirectory: Sendable {
    let directory: Directory

    init(_ directory: consuming Directory) {
        self.directory = directory
    }
}
