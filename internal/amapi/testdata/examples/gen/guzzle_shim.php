<?php
// A stand-in for GuzzleHttp\Client with what the document's examples use:
// get/post with 'headers' and 'json'. Like Guzzle, the 'json' option is
// encoded with json_encode($value) (GuzzleHttp\Utils::jsonEncode, flags 0)
// and adds Content-Type: application/json when none is given. GUZZLE_JSON_FLAGS
// adds flags: gen.py sets JSON_PRESERVE_ZERO_FRACTION to produce the 304.0
// that the document's PHP source spells (plain json_encode sends 304).
namespace GuzzleHttp {

class Response {
    private $body;
    public function __construct($body) { $this->body = $body; }
    public function getBody() { return $this->body; }
}

class Client {
    public function get($url, $options = []) { return $this->request('GET', $url, $options); }
    public function post($url, $options = []) { return $this->request('POST', $url, $options); }
    public function request($method, $url, $options = []) {
        $headers = $options['headers'] ?? [];
        $body = '';
        if (array_key_exists('json', $options)) {
            $body = json_encode($options['json'], (int) getenv('GUZZLE_JSON_FLAGS'));
            if (!isset($headers['Content-Type'])) {
                $headers['Content-Type'] = 'application/json';
            }
        }
        $headers['User-Agent'] = 'GuzzleHttp/7';
        $lines = [];
        foreach ($headers as $k => $v) { $lines[] = "$k: $v"; }
        $ctx = stream_context_create(['http' => [
            'method' => $method, 'header' => implode("\r\n", $lines), 'content' => $body,
            'ignore_errors' => true, 'protocol_version' => 1.1,
        ]]);
        return new Response(file_get_contents($url, false, $ctx));
    }
}
}
