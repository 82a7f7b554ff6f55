#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether someone other than us (or root) could replace what sits at a path (docs/security.md,
/// "Local files"). The daemon writes its keys and sets its socket's permissions by path, so
/// every directory on the way must be safe from others: owned by us or root, and not writable by
/// group or others unless it has the sticky bit (as `/tmp` does), which stops others from
/// renaming or removing what we created there.
package enum PathSafety {
    /// Why a directory on the way to `path` is unsafe, or nil. Missing directories are fine
    /// (we create them 0700). `path` itself is not checked, only its ancestors.
    package static func unsafeAncestor(of path: String, uid: uid_t = getuid()) -> String? {
        var prefix = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var directories = [path.hasPrefix("/") ? "/" : "."]
        for c in components {
            prefix += "/" + c
            directories.append(prefix)
        }
        for directory in directories {
            if let reason = unsafeDirectory(directory, uid: uid) { return reason }
        }
        return nil
    }

    /// Why `directory` itself is unsafe (it exists and others could change its entries), or nil.
    package static func unsafeDirectory(_ directory: String, uid: uid_t = getuid()) -> String? {
        var info = stat()
        // stat (following links): what matters is the directory the kernel will walk through.
        guard stat(directory, &info) == 0 else { return nil }
        let mode = info.st_mode
        if info.st_uid != uid && info.st_uid != 0 {
            return "\(directory) belongs to another user (uid \(info.st_uid)), who could replace what is in it"
        }
        let writableByOthers = mode & (S_IWGRP | S_IWOTH) != 0
        let sticky = mode & S_ISVTX != 0
        if writableByOthers && !sticky {
            return "\(directory) is writable by " + (mode & S_IWOTH != 0 ? "everyone" : "its group")
                + " (mode 0\(String(mode & 0o7777, radix: 8))) without the sticky bit, so others could replace what is in it"
        }
        return nil
    }
}
