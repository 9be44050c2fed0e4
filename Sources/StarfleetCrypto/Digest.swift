internal import COpenSSL

/// SHA-256 and HMAC-SHA256 over OpenSSL's libcrypto: content hashes of templates, deduplication ids, and SigV4.
/// The only Swift module that imports COpenSSL.
package enum Digest {
    /// SHA-256 of `bytes`.
    package static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let input = Array(bytes)
        input.withUnsafeBufferPointer { buffer in
            out.withUnsafeMutableBufferPointer { o in
                _ = SHA256(buffer.baseAddress, buffer.count, o.baseAddress)
            }
        }
        return out
    }

    /// Lowercase hex SHA-256 of `bytes`.
    package static func sha256Hex(_ bytes: some Collection<UInt8>) -> String { hex(sha256(bytes)) }

    /// Lowercase hex SHA-256 of a string's UTF-8.
    package static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// Lowercase hex MD5 of `bytes`: only where a peer's format asks for it (an SQS record's `md5OfBody`).
    package static func md5Hex(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        let input = Array(bytes)
        input.withUnsafeBufferPointer { buffer in
            out.withUnsafeMutableBufferPointer { o in
                _ = EVP_Digest(buffer.baseAddress, buffer.count, o.baseAddress, &length, EVP_md5(), nil)
            }
        }
        return hex(out)
    }

    /// HMAC-SHA256 of `message` under `key`.
    package static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length)
                }
            }
        }
        return Array(out.prefix(Int(length)))
    }

    /// Lowercase hexadecimal.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
