import Dispatch
import Glibc

/// A minimal blocking client for beanstalkd's text protocol (doc/protocol.txt), enough for the comparison.
final class BeanstalkConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if fd < 0 { die("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { die("connect to beanstalkd on port \(port): errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { write(fd, $0 + done, bytes.count - done) } ?? -1
            }
            if n <= 0 { die("beanstalkd write: errno \(errno)") }
            done += n
        }
    }

    /// Reads one "\r\n"-terminated line (without the terminator).
    func line() -> String {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                let text = String(decoding: buffer[..<end].dropLast(), as: UTF8.self)
                buffer.removeFirst(end + 1)
                return text
            }
            fill()
        }
    }

    /// Reads `count` bytes plus the trailing "\r\n".
    func body(_ count: Int) {
        while buffer.count < count + 2 { fill() }
        buffer.removeFirst(count + 2)
    }

    private func fill() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n <= 0 { die("beanstalkd read: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    static func putCommand(_ body: String) -> [UInt8] {
        Array("put 1024 0 300 \(body.utf8.count)\r\n".utf8) + Array(body.utf8) + [13, 10]
    }

    func expect(_ prefix: String) {
        let reply = line()
        if !reply.hasPrefix(prefix) { die("beanstalkd said \(reply), expected \(prefix)") }
    }
}

/// The same workloads against beanstalkd (started by scripts/bench-queue with `-b DIR -f 0`: fsync on every
/// binlog write).
enum BeanstalkWorkloads {
    /// (1) `count` puts pipelined on one connection (beanstalkd has no batch put): time until all INSERTED.
    static func fanOut(port: UInt16, count: Int) -> Double {
        let connection = BeanstalkConnection(port: port)
        connection.send(Array("use fanout\r\n".utf8))
        connection.expect("USING")
        var commands: [UInt8] = []
        for n in 0..<count { commands += BeanstalkConnection.putCommand(QueueWorkloads.payload(n)) }
        return timed {
            connection.send(commands)
            for _ in 0..<count { connection.expect("INSERTED") }
        }
    }

    /// (2) A producer pipelining puts 100 at a time while `consumers` connections reserve and delete.
    static func throughput(port: UInt16, total: Int, consumers: Int) -> Double {
        let done = Counter()
        let group = DispatchGroup()
        var template: [UInt8] = []
        for i in 0..<100 { template += BeanstalkConnection.putCommand(QueueWorkloads.payload(i)) }
        let commands = template
        let start = monotonicSeconds()
        DispatchQueue.global().async(group: group) {
            let producer = BeanstalkConnection(port: port)
            producer.send(Array("use work\r\n".utf8))
            producer.expect("USING")
            var sent = 0
            while sent < total {
                let n = min(100, total - sent)
                if n != 100 { die("throughput total must be a multiple of 100") }
                producer.send(commands)
                for _ in 0..<n { producer.expect("INSERTED") }
                sent += n
            }
        }
        for _ in 0..<consumers {
            DispatchQueue.global().async(group: group) {
                let consumer = BeanstalkConnection(port: port)
                consumer.send(Array("watch work\r\n".utf8))
                consumer.expect("WATCHING")
                while done.value < total {
                    consumer.send(Array("reserve-with-timeout 0\r\n".utf8))
                    let reply = consumer.line()
                    if reply.hasPrefix("TIMED_OUT") {
                        usleep(200)
                        continue
                    }
                    let parts = reply.split(separator: " ")
                    guard parts.count == 3, parts[0] == "RESERVED", let bytes = Int(parts[2]) else { die("reserve: \(reply)") }
                    consumer.body(bytes)
                    consumer.send(Array("delete \(parts[1])\r\n".utf8))
                    consumer.expect("DELETED")
                    done.add(1)
                }
            }
        }
        group.wait()
        return Double(total) / (monotonicSeconds() - start)
    }

    /// (3) Sequential single puts: p50 and p99.
    static func singlePutLatency(port: UInt16, samples: Int) -> (p50: Double, p99: Double) {
        let connection = BeanstalkConnection(port: port)
        connection.send(Array("use latency\r\n".utf8))
        connection.expect("USING")
        let command = BeanstalkConnection.putCommand(QueueWorkloads.payload(0))
        var times: [Double] = []
        for _ in 0..<samples {
            times.append(
                timed {
                    connection.send(command)
                    connection.expect("INSERTED")
                })
        }
        return (percentile(times, 0.5), percentile(times, 0.99))
    }
}
