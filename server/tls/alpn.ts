/** ALPN of DNS over TLS (RFC 7858, registered with IANA; RFC 9103 §7.1 uses it for XoT too). */
export const DOT_ALPN = 'dot';
