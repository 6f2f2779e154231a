// Prints throughput of the hot crypto paths; informational only, it never asserts on time.
import Crypto
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// This thread's CPU time in seconds. The build machine is shared, so wall-clock rates would
/// measure the neighbours; CPU time measures the code (as `openssl speed` does by default).
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs `body` until about `seconds` of CPU time have passed and returns MB/s (10^6 bytes per second) for `bytesPerCall`.
func throughput(bytesPerCall: Int, seconds: Double = 0.3, _ body: () throws -> Void) rethrows -> Double {
    try body()
    let start = threadCPUSeconds()
    var calls = 0
    var elapsed = 0.0
    repeat {
        for _ in 0..<8 { try body() }
        calls += 8
        elapsed = threadCPUSeconds() - start
    } while elapsed < seconds
    return Double(bytesPerCall * calls) / elapsed / 1e6
}

func report(_ name: String, _ megabytesPerSecond: Double, bytesPerCall: Int) {
    let nanosecondsPerCall = Double(bytesPerCall) / megabytesPerSecond * 1e3
    print("speed \(name): \(Int(megabytesPerSecond.rounded())) MB/s (\(Int(nanosecondsPerCall.rounded())) ns per call)")
}

@Suite("Crypto speed (prints, never asserts on time)")
struct CryptoSpeedTests {
    @Test("prints MB/s of CPU time for SHA-256, HMAC-SHA-256 and AES-256-GCM")
    func measure() throws {
        let mebibyte = SecureRandom.bytes(1 << 20)
        let small = Array(mebibyte.prefix(4096))
        var sink: UInt8 = 0

        report("SHA-256 1 MiB", throughput(bytesPerCall: mebibyte.count) { sink ^= SHA256.hash(mebibyte)[0] }, bytesPerCall: mebibyte.count)
        report("SHA-256 4 KiB", throughput(bytesPerCall: small.count) { sink ^= SHA256.hash(small)[0] }, bytesPerCall: small.count)

        let mac = HMACSHA256(key: SecretBytes.random(count: 32))
        report("HMAC-SHA-256 1 MiB", throughput(bytesPerCall: mebibyte.count) { sink ^= mac.authenticate(mebibyte)[0] }, bytesPerCall: mebibyte.count)
        report("HMAC-SHA-256 4 KiB", throughput(bytesPerCall: small.count) { sink ^= mac.authenticate(small)[0] }, bytesPerCall: small.count)
        let tiny = Array(small.prefix(64))
        report("HMAC-SHA-256 64 B", throughput(bytesPerCall: tiny.count) { sink ^= mac.authenticate(tiny)[0] }, bytesPerCall: tiny.count)
        report("SHA-256 64 B", throughput(bytesPerCall: tiny.count) { sink ^= SHA256.hash(tiny)[0] }, bytesPerCall: tiny.count)

        let cipher = try AES256GCM(key: SecretBytes.random(count: 32))
        let nonce = SecureRandom.bytes(12)
        var sealed: [UInt8] = []
        sealed.reserveCapacity(mebibyte.count + 16)
        let seal = try throughput(bytesPerCall: mebibyte.count) {
            sealed.removeAll(keepingCapacity: true)
            try mebibyte.withUnsafeBytes { try cipher.seal($0, nonce: nonce, aad: UnsafeRawBufferPointer(start: nil, count: 0), into: &sealed) }
        }
        report("AES-256-GCM seal 1 MiB", seal, bytesPerCall: mebibyte.count)
        let open = try throughput(bytesPerCall: mebibyte.count) {
            sink ^= try sealed.withUnsafeBytes { try cipher.open($0, nonce: nonce, aad: UnsafeRawBufferPointer(start: nil, count: 0)) }[0]
        }
        report("AES-256-GCM open 1 MiB", open, bytesPerCall: mebibyte.count)
        var smallSealed: [UInt8] = []
        let sealSmall = try throughput(bytesPerCall: small.count) {
            smallSealed.removeAll(keepingCapacity: true)
            try small.withUnsafeBytes { try cipher.seal($0, nonce: nonce, aad: UnsafeRawBufferPointer(start: nil, count: 0), into: &smallSealed) }
        }
        report("AES-256-GCM seal 4 KiB", sealSmall, bytesPerCall: small.count)
        print("speed sink \(sink)")
    }
}
