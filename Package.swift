// swift-tools-version:6.0
// Haven: backup for Linux machines in the spirit of the MARS agent. One package, one binary (`haven`).
import PackageDescription

/// A system-library target: a modulemap and a shim for one C library, no logic.
func cLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
    name: "haven",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "haven", targets: ["haven"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Logic-less templates for the portals' server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // C libraries: one target each, each imported by exactly one Swift module.
        cLibrary("CMicroHTTPD", pkgConfig: "libmicrohttpd", apt: "libmicrohttpd-dev"),
        cLibrary("CSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
        cLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        cLibrary("CZstd", pkgConfig: "libzstd", apt: "libzstd-dev"),
        cLibrary("COpenSSL", pkgConfig: "openssl", apt: "libssl-dev"),
        cLibrary("CCmark", pkgConfig: "libcmark", apt: "libcmark-dev"),
        cLibrary("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),

        // The Swift owner of each C library.
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "Compression", dependencies: ["CZstd", "CZlib"]),
        .target(name: "SQLiteDB", dependencies: ["CSQLite"]),
        .target(name: "Markdown", dependencies: ["CCmark"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),

        // POSIX file I/O with errno mapped in one place.
        .target(name: "FileIO"),

        // Storage, format, engine.
        .target(name: "ObjectStore", dependencies: ["FileIO", "Crypto"]),
        .target(name: "ObjectStoreTesting", dependencies: ["ObjectStore"]),
        // The portals' tests share one scripted browser (cookies, forms, CSRF tokens) over HTTPClient.
        .target(name: "PortalTesting", dependencies: ["HTTPClient"]),
        // Tests that need the real system: filesystems on loop devices, and the system's tools run as processes.
        .target(name: "SystemTesting", dependencies: ["FileIO"]),
        .target(name: "Repository", dependencies: ["ObjectStore", "Crypto", "Compression", "FileIO"]),
        .target(name: "Backup", dependencies: ["Repository", "FileIO", "Compression"]),

        // The vault API's wire types, shared by the vault (VaultAPI) and the agent (VaultClient).
        .target(name: "VaultProtocol"),
        // The agent's side of the wire: an ObjectStore over the vault API (libcurl), and registration.
        .target(name: "VaultClient", dependencies: ["VaultProtocol", "ObjectStore", "HTTPClient", "Crypto", "FileIO"]),

        // The vault service: vaults, credentials, machines, objects, recovery points, retention, PINs, GC, audit.
        // It never imports Repository or Backup: it stores ciphertext it cannot read.
        .target(name: "Vault", dependencies: ["VaultProtocol", "ObjectStore", "SQLiteDB", "Crypto", "FileIO"]),

        // The agent's long-running side: backup goals, scheduler, jobs, worker.
        .target(name: "Agent", dependencies: [
            "SQLiteDB", "Backup", "Repository", "ObjectStore", "VaultClient", "VaultProtocol", "HTTPClient", "Crypto", "FileIO",
        ]),

        // Shared portal plumbing: routing, forms, sessions, CSRF, login, templates, static files, help pages.
        .target(name: "Web", dependencies: [
            "HTTPServer", "SQLiteDB", "Crypto", "Markdown", .product(name: "Mustache", package: "swift-mustache"),
        ]),
        // The vault's HTTP faces: the machine API (JSON) and the administrator's portal (HTML).
        .target(name: "VaultAPI", dependencies: ["Vault", "VaultProtocol", "HTTPServer"]),
        // The agent's HTTP face: the admin portal (HTML) and the JSON API the CLI uses.
        .target(name: "AgentPortal", dependencies: ["Agent", "Web", "HTTPServer", "VaultProtocol", "Markdown"]),
        .target(name: "VaultPortal", dependencies: ["Vault", "VaultProtocol", "Web", "HTTPServer", "Markdown"]),

        // Composition root and CLI.
        .executableTarget(name: "haven", dependencies: [
            "Backup", "Repository", "ObjectStore", "FileIO", "Crypto", "Compression",
            "Vault", "VaultAPI", "VaultPortal", "VaultClient", "VaultProtocol", "HTTPServer", "Web", "Agent", "AgentPortal",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
        .testTarget(name: "SQLiteDBTests", dependencies: ["SQLiteDB"]),
        .testTarget(name: "MarkdownTests", dependencies: ["Markdown"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPClient"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "HTTPServer"]),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO"]),
        .testTarget(name: "ObjectStoreTests", dependencies: ["ObjectStore", "ObjectStoreTesting", "FileIO"]),
        .testTarget(name: "RepositoryTests", dependencies: ["Repository", "ObjectStore", "ObjectStoreTesting", "Crypto"]),
        .testTarget(name: "BackupTests", dependencies: [
            "Backup", "Repository", "ObjectStore", "ObjectStoreTesting", "FileIO", "SystemTesting",
        ]),
        .testTarget(name: "HavenCLITests", dependencies: ["FileIO", "SystemTesting"]),
        .testTarget(name: "AgentTests", dependencies: [
            "Agent", "SQLiteDB", "Backup", "Repository", "ObjectStore", "VaultClient", "VaultProtocol", "Vault", "VaultAPI",
            "HTTPServer", "FileIO", "Crypto", "SystemTesting",
        ]),
        .testTarget(name: "AgentPortalTests", dependencies: [
            "AgentPortal", "Agent", "Web", "HTTPServer", "HTTPClient", "PortalTesting", "Vault", "VaultAPI", "VaultProtocol", "FileIO", "Crypto",
        ]),
        .testTarget(name: "WebTests", dependencies: ["Web", "HTTPServer", "HTTPClient", "PortalTesting"]),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "VaultProtocol", "ObjectStore", "SQLiteDB", "FileIO"]),
        .testTarget(name: "VaultAPITests", dependencies: [
            "VaultAPI", "Vault", "VaultProtocol", "HTTPServer", "HTTPClient", "ObjectStore", "FileIO", "Crypto",
        ]),
        .testTarget(name: "VaultClientTests", dependencies: [
            "VaultClient", "VaultAPI", "Vault", "VaultProtocol", "HTTPServer", "ObjectStore", "ObjectStoreTesting",
            "Repository", "FileIO", "Backup", "Crypto",
        ]),
        .testTarget(name: "VaultPortalTests", dependencies: [
            "VaultPortal", "Vault", "VaultProtocol", "Web", "HTTPServer", "HTTPClient", "PortalTesting", "FileIO", "Crypto", "ObjectStore",
        ]),
    ]
)
