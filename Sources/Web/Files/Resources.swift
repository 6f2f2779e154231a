/// Resources owns finding the `templates/`, `Public/` and `docs/` folders the portals need at run time.
import Foundation

/// The folder that holds `templates/`, `Public/` and (optionally) `docs/`.
public struct Resources: Sendable, Equatable {
    /// The folder holding them, without a trailing slash.
    public let root: String

    /// Uses `root` as given, without checking it (see `locate` for the checked search).
    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// `root/templates`.
    public var templates: String { root + "/templates" }
    /// `root/Public`, served under /static/.
    public var publicFiles: String { root + "/Public" }
    /// `root/docs`, rendered as help pages.
    public var docs: String { root + "/docs" }

    /// The environment variable naming the folder.
    public static let environmentVariable = "HAVEN_RESOURCES"
    /// Where packages install the resources.
    public static let systemRoot = "/usr/share/haven"

    /// Finds the resources: `explicit` (a flag or config setting), then `$HAVEN_RESOURCES`, then the
    /// nearest folder above the executable holding both `templates/` and `Public/` (so
    /// `.build/release/haven` in a checkout works), then `/usr/share/haven`.
    /// - Throws: `WebError` (`.resourcesNotFound`) naming every place tried.
    public static func locate(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        executablePath: String? = currentExecutablePath()
    ) throws(WebError) -> Resources {
        var tried: [String] = []
        if let explicit {
            guard isResourceRoot(explicit) else {
                throw WebError(.resourcesNotFound,
                               "the resources folder \(explicit) holds no templates/ and Public/ folders; point it at a Haven checkout or /usr/share/haven")
            }
            return Resources(root: explicit)
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            guard isResourceRoot(fromEnvironment) else {
                throw WebError(.resourcesNotFound,
                               "$\(environmentVariable) is \(fromEnvironment), which holds no templates/ and Public/ folders")
            }
            return Resources(root: fromEnvironment)
        }
        if let executablePath {
            var directory = (executablePath as NSString).deletingLastPathComponent
            while !directory.isEmpty {
                tried.append(directory)
                if isResourceRoot(directory) { return Resources(root: directory) }
                if directory == "/" { break }
                directory = (directory as NSString).deletingLastPathComponent
            }
        }
        tried.append(systemRoot)
        if isResourceRoot(systemRoot) { return Resources(root: systemRoot) }
        throw WebError(.resourcesNotFound,
                       "the portal's templates/ and Public/ folders were not found (looked in \(tried.joined(separator: ", "))); "
                       + "set $\(environmentVariable) or pass the resources folder explicitly")
    }

    /// True when `path` holds both `templates/` and `Public/`.
    public static func isResourceRoot(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        return manager.fileExists(atPath: path + "/templates", isDirectory: &isDirectory) && isDirectory.boolValue
            && manager.fileExists(atPath: path + "/Public", isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The running program's path, read from /proc/self/exe.
    public static func currentExecutablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
