// Typed entry points for libcurl's variadic functions, which Swift cannot call directly.
// Each wrapper forwards one argument type; the curl option constants import from CCurl as usual.
#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>

typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_setopt_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);

typedef int (*ccurl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
CURLcode ccurl_setopt_xferinfo(CURL *handle, ccurl_xferinfo_callback callback);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode ccurl_getinfo_double(CURL *handle, CURLINFO info, double *out);
CURLcode ccurl_getinfo_string(CURL *handle, CURLINFO info, const char **out);

#endif
