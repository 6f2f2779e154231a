#if canImport(Glibc)
import Glibc
#endif
import FileIO

/// Turns the errno behind a failed file operation into an ObjectStoreError that tells the user what to do.
extension FilesystemStore {
    func storeError(_ error: SystemError, key: ObjectKey?, doing action: String) -> ObjectStoreError {
        let subject = key.map { "\(action) \($0)" } ?? action
        if error.isNotFound, let key {
            return ObjectStoreError(
                .notFound, key: key, message: "object \(key) does not exist in the repository at \(root)"
            )
        }
        return Self.mapped(error, key: key, root: root, subject: subject)
    }

    static func layoutError(_ error: SystemError, root: String, doing action: String) -> ObjectStoreError {
        mapped(error, key: nil, root: root, subject: "\(action) \(root)")
    }

    private static func mapped(_ error: SystemError, key: ObjectKey?, root: String, subject: String) -> ObjectStoreError {
        if error.isNoSpace {
            return ObjectStoreError(
                .noSpace, key: key,
                message: "the disk holding the repository at \(root) is full (\(error)); "
                    + "free space on it or move the repository to a larger disk, then try again"
            )
        }
        if error.isPermissionDenied || error.code == EROFS {
            return ObjectStoreError(
                .permissionDenied, key: key,
                message: "cannot \(subject): \(error); "
                    + "make sure the user running Haven can read and write \(root) and that it is not mounted read-only"
            )
        }
        return ObjectStoreError(
            .io, key: key,
            message: "cannot \(subject): \(error); check the disk holding \(root) (the kernel log may say more)"
        )
    }
}
