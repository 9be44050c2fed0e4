import CSpawn
import Glibc

/// A spawned child and the daemon's ends of its three pipes.
struct ChildProcess {
    let pid: pid_t
    /// Polls readable when the child exits; -1 where pidfd_open is unavailable (then we poll waitid on a tick).
    let pidfd: Int32
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    /// posix_spawn without a shell: own process group (so a timeout kills the whole tree), empty signal mask
    /// and default dispositions (the daemon blocks or ignores signals its children must not inherit), stdio on
    /// fresh pipes, every other fd closed, and the working directory changed before exec.
    /// `watchWithPidfd: false` forces the waitid-tick fallback (tests exercise it that way).
    static func spawn(_ invocation: ProcessInvocation, watchWithPidfd: Bool = true) throws(ProcessRunnerError)
        -> ChildProcess
    {
        try validate(invocation)
        let executable = try ExecutableLookup.resolve(
            invocation.argv[0], path: invocation.environment["PATH"] ?? ProcessEnvironment.defaultPath,
            workingDirectory: invocation.workingDirectory)

        let input = try FileDescriptor.pipe()
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        do {
            output = try FileDescriptor.pipe()
        } catch {
            closeAll([input.read, input.write])
            throw error
        }
        do {
            errors = try FileDescriptor.pipe()
        } catch {
            closeAll([input.read, input.write, output.read, output.write])
            throw error
        }
        // The child's ends are closed in the daemon right after the spawn, success or not.
        defer { closeAll([input.read, output.write, errors.write]) }
        let ours = [input.write, output.read, errors.read]

        let pid: pid_t
        do {
            for fd in ours { try FileDescriptor.setNonBlocking(fd) }
            pid = try launch(
                executable: executable, invocation: invocation, stdin: input.read, stdout: output.write,
                stderr: errors.write)
        } catch {
            closeAll(ours)
            throw error
        }
        // No pidfd (kernel < 5.3, or a seccomp filter) is fine: supervision falls back to a waitid tick.
        let pidfd = watchWithPidfd ? cspawn_pidfd_open(pid) : -1
        return ChildProcess(pid: pid, pidfd: pidfd, stdin: input.write, stdout: output.read, stderr: errors.read)
    }

    private static func launch(
        executable: String, invocation: ProcessInvocation, stdin: Int32, stdout: Int32, stderr: Int32
    ) throws(ProcessRunnerError) -> pid_t {
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else {
            throw FileDescriptor.failure("posix_spawnattr_init", ENOMEM)
        }
        defer { posix_spawnattr_destroy(&attributes) }
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else {
            throw FileDescriptor.failure("posix_spawn_file_actions_init", ENOMEM)
        }
        defer { posix_spawn_file_actions_destroy(&actions) }

        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        var rc = posix_spawnattr_setflags(&attributes, Int16(flags))
        if rc == 0 { rc = posix_spawnattr_setpgroup(&attributes, 0) }  // 0: a new group led by the child
        if rc == 0 { rc = posix_spawnattr_setsigmask(&attributes, &emptyMask) }
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &allSignals) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        if rc == 0 { rc = cspawn_file_actions_addclosefrom(&actions, 3) }  // fds others opened without O_CLOEXEC
        if rc == 0, let directory = invocation.workingDirectory {
            rc = cspawn_file_actions_addchdir(&actions, directory)
        }
        guard rc == 0 else { throw FileDescriptor.failure("posix_spawn attributes", rc) }

        let argv = CStringArray(invocation.argv)
        let envp = CStringArray(invocation.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer {
            argv.free()
            envp.free()
        }
        var pid: pid_t = 0
        rc = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard rc == 0 else { throw ExecutableLookup.spawnError(rc, executable: executable) }
        return pid
    }

    private static func validate(_ invocation: ProcessInvocation) throws(ProcessRunnerError) {
        guard let program = invocation.argv.first, !program.isEmpty else {
            throw ProcessRunnerError(
                code: .invalidInvocation, subject: "argv", hint: "Command needs at least a program path")
        }
        for argument in invocation.argv where argument.utf8.contains(0) {
            throw ProcessRunnerError(
                code: .invalidInvocation, subject: argument, hint: "arguments cannot contain NUL bytes")
        }
        for (name, value) in invocation.environment
        where name.isEmpty || name.utf8.contains(0) || name.contains("=") || value.utf8.contains(0) {
            throw ProcessRunnerError(
                code: .invalidInvocation, subject: name,
                hint: "environment names must be non-empty without '=' or NUL, and values without NUL")
        }
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds { FileDescriptor.close(fd) }
    }
}

/// A NULL-terminated array of C strings for posix_spawn's argv/envp, freed explicitly.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}
