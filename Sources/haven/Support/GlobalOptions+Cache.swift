import Foundation
import Repository

/// The command line's cache folder: what it keeps between runs to spare reads from the vault, and may lose at any time
/// (everything in it is rebuilt from the repository). Per repository, under `$XDG_CACHE_HOME/haven/<repository id>/`
/// (by default `~/.cache/haven/…`), each file sealed with the repository's key; `--no-cache` keeps nothing.
extension GlobalOptions {
    /// The cache folder of the repository `id`; nil with `--no-cache`, without a home, or for an id that is not one
    /// plain file name (a repository's id is hex).
    func cacheFolder(repositoryID id: String) -> String? {
        guard !noCache, !id.isEmpty,
              id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/haven/" + id }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/haven/" + id }
        return nil
    }

    /// Opens the repository a backup writes to. In the vault, committing a recovery point lists every object it
    /// references, which means every tree of the point: the links of the trees known from earlier runs are loaded
    /// from the cache folder, so only new trees are read. Returns the file to save them back to after the backup.
    func openRepositoryForBackup() throws -> (Repository, treeLinks: String?) {
        let committing = vaultStateDirectory != nil && !noCache
        let repository = try openRepository(treeLinks: committing ? TreeLinkCache() : nil)
        guard committing, let folder = cacheFolder(repositoryID: repository.config.id) else { return (repository, nil) }
        let file = folder + "/tree-links"
        repository.loadTreeLinks(from: file)
        return (repository, file)
    }
}
