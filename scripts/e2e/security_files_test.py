#!/usr/bin/env python3
"""Issue 20, F6 and F9: the file-system attacks on starfleetd, as steps a harness (scripts/e2e/security.sh) composes.

Python 3, standard library only. Each case prints `ok: ...` or `FAIL: ...` lines and exits 1 on any failure (2 on a
usage mistake). Run the attacker's steps as the attacker's uid (e.g. `setpriv --reuid=ATTACKER --regid=ATTACKER
--clear-groups python3 security_files_test.py precreate-state DIR`) and the checks as root or the daemon's uid.

Cases:

  precreate-state DIR [MODE]
      As the attacker: make DIR (and its missing parents) with MODE (octal, default 777) before the daemon's first
      start, as someone would in /tmp or in a state directory left open. The daemon, started on it afterwards as the
      victim, must refuse it with exit 73 naming DIR.
  precreate-folder STATE NAME [MODE]
      As the attacker, in a STATE the attacker can write (made by precreate-state): make STATE/NAME (`run`,
      `queues`, `workers`, ...) with MODE (default 777). For the case where the operator later fixed STATE itself
      (chown + chmod 0700) but not what had been planted inside: the daemon must refuse STATE/NAME.
  plant-link LINK TARGET
      As the attacker: a symbolic link LINK -> TARGET (say, a state directory path pointing at the attacker's own
      folder, or at a file of the victim's). A link the attacker owns is never followed: refused with exit 73.
  expect-refused PATH -- COMMAND...
      Runs COMMAND (the daemon, as the victim; bounded by $TIMEOUT seconds, default 30) and checks that it exits 73
      and that its output names PATH. Any other exit (0 after a SIGTERM from the timeout included) is a failure.
  expect-unchanged FILE TEXT
      FILE still holds exactly TEXT: what a planted link pointed at was not written through.
  grep-secret DIR SECRET
      No regular file under DIR (links not followed; DIR may be missing) contains SECRET's bytes: after a reload that
      disabled or removed the worker holding it, or took its Credentials away, and after the daemon stopped.

Example (the harness, as root, victim uid 990, attacker 991):
  setpriv --reuid=991 --regid=991 --clear-groups python3 security_files_test.py precreate-state /tmp/sf-state
  python3 security_files_test.py expect-refused /tmp/sf-state -- \\
      setpriv --reuid=990 --regid=990 --clear-groups starfleetd --config CONFIG --state-dir /tmp/sf-state
"""

import os
import stat
import subprocess
import sys

failures = 0


def ok(message):
    print("ok: " + message, flush=True)


def fail(message):
    global failures
    failures += 1
    print("FAIL: " + message, flush=True)


def octal(text):
    try:
        return int(text, 8)
    except ValueError:
        usage("not an octal mode: %s" % text)


def make_open_directory(path, mode):
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)  # the umask does not apply to chmod
    st = os.lstat(path)
    if stat.S_IMODE(st.st_mode) == mode:
        ok("%s made by uid %d with mode %o" % (path, st.st_uid, mode))
    else:
        fail("%s has mode %o, not %o" % (path, stat.S_IMODE(st.st_mode), mode))


def precreate_state(args):
    if len(args) not in (1, 2):
        usage("precreate-state DIR [MODE]")
    make_open_directory(args[0], octal(args[1]) if len(args) == 2 else 0o777)


def precreate_folder(args):
    if len(args) not in (2, 3):
        usage("precreate-folder STATE NAME [MODE]")
    make_open_directory(os.path.join(args[0], args[1]), octal(args[2]) if len(args) == 3 else 0o777)


def plant_link(args):
    if len(args) != 2:
        usage("plant-link LINK TARGET")
    link, target = args
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)
    ok("%s -> %s planted by uid %d" % (link, target, os.lstat(link).st_uid))


def expect_refused(args):
    if "--" not in args or args.index("--") != 1 or len(args) < 3:
        usage("expect-refused PATH -- COMMAND...")
    path, command = args[0], args[2:]
    timeout = float(os.environ.get("TIMEOUT", "30"))
    try:
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        fail("%s still ran after %gs: it used %s instead of refusing it" % (command[0], timeout, path))
        sys.stdout.write((exc.output or b"").decode("utf-8", "replace")[-2000:])
        return
    output = run.stdout.decode("utf-8", "replace")
    if run.returncode != 73:
        fail("%s exited %d, not 73 (EX_CANTCREAT), on %s; its last lines:\n%s"
             % (command[0], run.returncode, path, output[-2000:]))
    elif path not in output:
        fail("%s exited 73 but its output does not name %s:\n%s" % (command[0], path, output[-2000:]))
    else:
        line = next((l for l in output.splitlines() if path in l), "")
        ok("refused with exit 73: %s" % line.strip())


def expect_unchanged(args):
    if len(args) != 2:
        usage("expect-unchanged FILE TEXT")
    path, text = args
    try:
        with open(path, "rb") as f:
            content = f.read()
    except OSError as exc:
        fail("%s cannot be read: %s" % (path, exc))
        return
    if content == text.encode():
        ok("%s unchanged" % path)
    else:
        fail("%s was changed: %r" % (path, content[:200]))


def grep_secret(args):
    if len(args) != 2:
        usage("grep-secret DIR SECRET")
    root, secret = args[0], args[1].encode()
    if not secret:
        usage("grep-secret: an empty SECRET matches everything")
    if not os.path.lexists(root):
        ok("%s does not exist: the secret is in no file there" % root)
        return
    found, files = [], 0
    for directory, folders, names in os.walk(root, followlinks=False):
        for name in names + folders:
            path = os.path.join(directory, name)
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode):
                    continue
                files += 1
                with open(path, "rb") as f:
                    if secret in f.read():
                        found.append(path)
            except OSError as exc:
                fail("%s cannot be read (run this check as root or the daemon's user): %s" % (path, exc))
    if found:
        fail("the secret's bytes are still in %s" % ", ".join(sorted(found)))
    else:
        ok("the secret is in none of the %d file(s) under %s" % (files, root))


CASES = {
    "precreate-state": precreate_state,
    "precreate-folder": precreate_folder,
    "plant-link": plant_link,
    "expect-refused": expect_refused,
    "expect-unchanged": expect_unchanged,
    "grep-secret": grep_secret,
}


def usage(message):
    print("usage: %s %s\n(see the top of the file)" % (os.path.basename(sys.argv[0]), message), file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CASES:
        usage("CASE ARGS  (CASE: %s)" % ", ".join(CASES))
    CASES[sys.argv[1]](sys.argv[2:])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
