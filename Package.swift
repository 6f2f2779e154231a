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
        .target(name: "Repository", dependencies: ["ObjectStore", "Crypto", "Compression", "FileIO"]),
        .target(name: "Backup", dependencies: ["Repository", "FileIO"]),

        // The vault API's wire types, shared by the vault (VaultAPI) and the agent (VaultClient).
        .target(name: "VaultProtocol"),

        // Composition root and CLI.
        .executableTarget(name: "haven", dependencies: [
            "Backup", "Repository", "ObjectStore", "FileIO", "Crypto", "Compression",
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
        .testTarget(name: "BackupTests", dependencies: ["Backup", "Repository", "ObjectStore", "ObjectStoreTesting", "FileIO"]),
        .testTarget(name: "HavenCLITests", dependencies: ["FileIO"]),
    ]
)
