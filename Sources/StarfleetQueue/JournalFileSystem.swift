package import StarfleetFiles

/// The queue's file-system seam is the package's one (StarfleetFiles): the journal, dead letters, inbox and
/// degraded records all go through it, so fault-injection tests reach every write.
package typealias JournalFileSystem = FileSystem
