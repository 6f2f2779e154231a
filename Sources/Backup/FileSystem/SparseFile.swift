#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// Where a sparse file keeps its data, so the archiver reads and stores only those bytes.
public enum SparseFile {
    /// The byte ranges of the first `size` bytes of `fd` that hold data, ascending and disjoint
    /// (SEEK_DATA/SEEK_HOLE). Bytes outside every range read as zeros. A file without holes, or on a
    /// filesystem that cannot tell, gives one range `0..<size`; a file that is all hole gives none.
    ///
    /// Ranges follow the filesystem's allocation, so they are block-aligned and may include zeros.
    /// Moves the file offset and puts it back at 0; read the ranges with `pread`.
    public static func dataRanges(fd: Int32, size: UInt64) throws(SystemError) -> [Range<UInt64>] {
        guard size > 0 else { return [] }
        defer { lseek(fd, 0, SEEK_SET) }
        let end = off_t(clamping: size)
        var ranges: [Range<UInt64>] = []
        var position: off_t = 0
        while position < end {
            let data = lseek(fd, position, LinuxCalls.seekData)
            if data == -1 {
                if errno == ENXIO { break }  // only a hole from here to the end of the file
                if errno == EINVAL || errno == ENOTSUP { return [0..<size] }
                throw SystemError.current("lseek SEEK_DATA")
            }
            if data >= end { break }
            let hole = lseek(fd, data, LinuxCalls.seekHole)
            if hole == -1 {
                // The file shrank to end inside this data: what remains is data up to `size` at most.
                if errno == ENXIO { ranges.append(UInt64(data)..<size); break }
                throw SystemError.current("lseek SEEK_HOLE")
            }
            let stop = min(hole, end)
            ranges.append(UInt64(data)..<UInt64(stop))
            position = stop
        }
        return ranges
    }
}
