/// The release version of starfleetd and starfleetctl (`--version`, the metrics' build info, the .deb).
package enum StarfleetVersion {
    package static let current = "0.1.0"

    /// The Swift language version the binaries were compiled with.
    package static var swift: String {
        #if compiler(>=6.4)
            return "6.4+"
        #elseif compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #elseif compiler(>=6.1)
            return "6.1"
        #else
            return "6.0"
        #endif
    }
}
