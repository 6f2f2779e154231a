import Synchronization

/// TreeLinkCache remembers, per tree, the content blobs of its files and its subtrees: all `references(of:)` reads of
/// a tree, so a long-lived writer (the agent) walks an unchanged tree without fetching it from the store again.
///
/// A tree is named by the keyed hash of its bytes and never changes, so an entry never goes stale; which pack holds a
/// blob is still looked up in the index of the moment. `Sendable` through its `Mutex`.
public final class TreeLinkCache: Sendable {
    /// What a tree links to.
    struct Links {
        var content: [BlobID]
        var subtrees: [BlobID]

        init(_ nodes: [Node]) {
            content = nodes.flatMap(\.content)
            subtrees = nodes.compactMap(\.subtree)
        }

        init(content: [BlobID], subtrees: [BlobID]) {
            self.content = content
            self.subtrees = subtrees
        }
    }

    private struct State {
        var links: [BlobID: Links] = [:]
        var blobs = 0
        /// Trees remembered since the cache was last loaded from or saved to a file.
        var unsaved = 0
    }

    private let state = Mutex(State())
    /// How many blob ids the cache holds at most (32 bytes each) before it starts again empty.
    let capacity: Int

    /// - Parameter capacity: blob ids held at most; the default (two million, about 64 MB) covers trees of a few
    ///   million files.
    public init(capacity: Int = 2_000_000) { self.capacity = capacity }

    /// The number of trees remembered.
    public var count: Int { state.withLock { $0.links.count } }

    func links(of tree: BlobID) -> Links? { state.withLock { $0.links[tree] } }

    /// Every tree remembered and its links, in no particular order (for `Repository.saveTreeLinks(to:)`).
    func entries() -> [(BlobID, Links)] { state.withLock { $0.links.map { ($0.key, $0.value) } } }

    func remember(_ links: Links, of tree: BlobID) {
        let size = links.content.count + links.subtrees.count + 1
        state.withLock { state in
            if state.blobs + size > capacity {
                state.links = [:]
                state.blobs = 0
            }
            if state.links.updateValue(links, forKey: tree) == nil {
                state.blobs += size
                state.unsaved += 1
            }
        }
    }

    /// Whether trees were remembered since the last `markSaved()`.
    var hasUnsaved: Bool { state.withLock { $0.unsaved > 0 } }

    /// What is remembered now is what the file holds.
    func markSaved() { state.withLock { $0.unsaved = 0 } }
}
