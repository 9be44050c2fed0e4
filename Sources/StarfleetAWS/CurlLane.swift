internal import CCurl
internal import CCurlShim
internal import Dispatch
internal import Synchronization

/// One libcurl easy handle confined to one serial dispatch queue. Transfers on a lane run one after another, on
/// a dispatch thread rather than the cooperative pool, and reuse the handle's connections (keep-alive, TLS
/// sessions, DNS cache survive `curl_easy_reset`).
final class CurlLane: @unchecked Sendable {
    /// Accessed only on `queue`. Made at the first transfer: a daemon that never talks to AWS never loads
    /// OpenSSL through curl_global_init nor holds idle handles (about 7 MB of RSS for 17 lanes).
    private var handle: UnsafeMutableRawPointer?
    private var initialized = false
    private let errorBuffer: UnsafeMutablePointer<CChar>
    let queue: DispatchQueue

    /// Limits shared by every transfer.
    struct Limits: Sendable {
        var connectTimeout: Double
        var timeout: Double
        var maxResponseBytes: Int
        var userAgent: String
        /// Only for tests against self-signed servers; production keeps verification on.
        var verifyTLS: Bool
    }

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    init(label: String) {
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        queue = DispatchQueue(label: label)
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    /// Runs one transfer on the lane's queue and resumes the caller with its outcome. Cancelling the task aborts a
    /// long poll (``HTTPRequest/isLongPoll``) at curl's next progress call; other transfers run to their end.
    func run(_ request: HTTPRequest, limits: Limits) async -> Result<HTTPResponse, HTTPError> {
        let cancelled = CancelFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: self.perform(request, limits: limits, cancelled: cancelled)) }
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Set from any thread when the caller's task is cancelled; read by curl's progress callback on the lane.
    final class CancelFlag: Sendable {
        private let value = Atomic(false)
        func set() { value.store(true, ordering: .relaxed) }
        var isSet: Bool { value.load(ordering: .relaxed) }
    }

    /// Collects what curl hands the write and header callbacks.
    private final class Sink {
        var body: [UInt8] = []
        var headers: [(name: String, value: String)] = []
        let cap: Int
        var overflowed = false
        let cancelled: CancelFlag
        init(cap: Int, cancelled: CancelFlag) {
            self.cap = cap
            self.cancelled = cancelled
        }
    }

    /// Blocking: call only on `queue`.
    private func perform(_ request: HTTPRequest, limits: Limits, cancelled: CancelFlag) -> Result<HTTPResponse, HTTPError> {
        let subject = HTTPError.subject(method: request.method, url: request.url)
        if request.isLongPoll && cancelled.isSet { return .failure(Self.cancelledError(subject)) }
        if !initialized {
            initialized = true
            _ = Self.globalInit
            handle = curl_easy_init()
        }
        guard let handle else {
            return .failure(HTTPError(code: .invalidRequest, subject: subject, hint: "curl_easy_init failed; out of memory?"))
        }
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = Sink(cap: limits.maxResponseBytes, cancelled: cancelled)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        // curl would add these on its own: a form Content-Type (moto then stores an empty object) and
        // Expect: 100-continue (one more round trip per upload).
        if !request.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            headerList = curl_slist_append(headerList, "Content-Type:")
        }
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }

        let timeout = request.timeout ?? limits.timeout
        var code = CURLE_OK
        func set(_ result: CURLcode) { if code == CURLE_OK { code = result } }
        set(ccurl_setopt_string(handle, CURLOPT_URL, request.url))
        // The handle is reused: a request without a socket path must clear the previous one's.
        if let path = request.unixSocketPath {
            set(ccurl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, path))
        } else {
            set(ccurl_setopt_pointer(handle, CURLOPT_UNIX_SOCKET_PATH, nil))
        }
        set(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(limits.connectTimeout, timeout) * 1000)))
        set(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000)))
        set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, limits.verifyTLS ? 1 : 0))
        set(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, limits.verifyTLS ? 2 : 0))
        set(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(ccurl_setopt_string(handle, CURLOPT_USERAGENT, limits.userAgent))
        set(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        set(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        set(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        set(
            ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, raw in
                guard let raw, let pointer else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(raw).takeUnretainedValue()
                let length = size * count
                guard sink.body.count + length <= sink.cap else {
                    sink.overflowed = true
                    return 0  // curl aborts with CURLE_WRITE_ERROR
                }
                pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                    sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
                return length
            })
        set(
            ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { pointer, size, count, raw in
                guard let raw, let pointer else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(raw).takeUnretainedValue()
                let length = size * count
                let line = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                }
                if line.hasPrefix("HTTP/") {
                    sink.headers.removeAll()  // a new response (after 100 Continue or a redirect)
                } else if let colon = line.firstIndex(of: ":") {
                    let name = String(line[..<colon])
                    let value = line[line.index(after: colon)...].trimmingWhitespace()
                    sink.headers.append((name, value))
                }
                return length
            })

        if request.isLongPoll {
            // curl calls this about once a second while it waits, and aborts the transfer when it returns non-zero.
            set(ccurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            set(ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))
            set(
                ccurl_setopt_xferinfo(handle) { raw, _, _, _, _ in
                    guard let raw else { return 0 }
                    return Unmanaged<Sink>.fromOpaque(raw).takeUnretainedValue().cancelled.isSet ? 1 : 0
                })
        }

        let method = request.method.uppercased()
        let sendsBody = !request.body.isEmpty || method == "PUT" || method == "POST"
        if method == "HEAD" {
            set(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
        } else if method != "GET" || sendsBody {
            set(ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        guard code == CURLE_OK else {
            return .failure(
                HTTPError(
                    code: .invalidRequest, subject: subject, detail: String(cString: curl_easy_strerror(code)),
                    hint: "libcurl refused an option; this is a bug in starfleetd's HTTP client"))
        }

        let result: CURLcode = request.body.withUnsafeBufferPointer { body in
            if sendsBody {
                // POSTFIELDS wants a non-null pointer even for an empty body.
                let empty: StaticString = ""
                let pointer =
                    body.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    ?? UnsafeMutableRawPointer(mutating: empty.utf8Start)
                _ = ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer)
            }
            return withExtendedLifetime(sink) { curl_easy_perform(handle) }
        }
        // Drop the pointers to this call's buffers before they go out of scope.
        _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)

        guard result == CURLE_OK else {
            return .failure(transferError(result, subject: subject, sink: sink, timeout: timeout, limits: limits))
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    private func transferError(_ result: CURLcode, subject: String, sink: Sink, timeout: Double, limits: Limits)
        -> HTTPError
    {
        if result == CURLE_ABORTED_BY_CALLBACK && sink.cancelled.isSet { return Self.cancelledError(subject) }
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(result)) }
        detail += " (curl \(result.rawValue))"
        if sink.overflowed {
            return HTTPError(
                code: .responseTooLarge, subject: subject, detail: detail,
                hint:
                    "the response exceeded \(limits.maxResponseBytes) bytes; raise the client's response cap if it is legitimate")
        }
        switch result {
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPError(
                code: .timeout, subject: subject, detail: detail,
                hint: "no complete answer within \(timeout) s; check the endpoint and network, or raise the timeout")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return HTTPError(
                code: .tls, subject: subject, detail: detail,
                hint: "TLS failed; check the endpoint's certificate and the system CA bundle")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return HTTPError(
                code: .invalidRequest, subject: subject, detail: detail, hint: "the URL is not usable; check the endpoint setting"
            )
        default:
            return HTTPError(
                code: .network, subject: subject, detail: detail,
                hint: "the connection failed or was cut; check that the endpoint is reachable")
        }
    }
}

extension CurlLane {
    /// A long poll given up because its task was cancelled (a stop or a reload), not a failure of the peer.
    static func cancelledError(_ subject: String) -> HTTPError {
        HTTPError(code: .cancelled, subject: subject, hint: "the long poll was cancelled (the daemon stops or reloads)")
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CR and LF.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
