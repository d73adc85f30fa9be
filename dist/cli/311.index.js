export const id = 311;
export const ids = [311];
export const modules = {

/***/ 6311:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   startRelay: () => (/* binding */ startRelay)
/* harmony export */ });
/* unused harmony export MAX_BODY_BYTES */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_http__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _alerts_alertmanager_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3222);
/* harmony import */ var _events_route_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2342);
/**
 * The Alertmanager relay: Alertmanager 0.25's webhook cannot shape its body for GitHub, so this
 * small HTTP server takes the webhook and forwards the body unchanged as a `repository_dispatch`
 * (`event_type: alertmanager`, `client_payload: { alertmanager: <body> }`), which starts the
 * incident workflow. The token must be one that starts workflows (a fine-grained token or a
 * GitHub App installation token with Contents: write): events made with a workflow's
 * GITHUB_TOKEN start none.
 *
 * What Alertmanager is told: 200 once GitHub accepted the event; 400 for a body that is not an
 * Alertmanager notification (it would fail again); 401 without the shared secret; 413 for a body
 * too big; 502 when GitHub would not take it after retries (Alertmanager retries on 5xx).
 */




/**
 * GitHub takes a client_payload under 64 KB; the body goes in whole, so it must stay below that
 * with room for the envelope. Set Alertmanager's `max_alerts` so a notification stays well under.
 */
const MAX_BODY_BYTES = 60_000;
function secretMatches(header, secret) {
    const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
    const wanted = Buffer.from(secret);
    return given.length === wanted.length && (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.timingSafeEqual)(given, wanted);
}
const retryable = (status) => status === 0 || status === 429 || status >= 500;
/** Forwards with retries: GitHub's Retry-After when it gives one (up to 60 s), else 1 s, 2 s, 4 s. */
async function forward(body, group, options) {
    const attempts = options.attempts ?? 4;
    let last = { status: 0 };
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
        last = await options.dispatch({
            event_type: _events_route_js__WEBPACK_IMPORTED_MODULE_3__/* .ALERTMANAGER_EVENT_TYPE */ .WK,
            // `group` lets the workflow queue runs per alert group (its concurrency key stays short).
            client_payload: { alertmanager: body, group },
        });
        if (!retryable(last.status) || attempt === attempts)
            return last;
        const wait = Math.min(60, last.retryAfter ?? 2 ** (attempt - 1)) * 1000;
        options.log(`GitHub answered ${last.status || 'nothing'}; trying again in ${wait / 1000} s`);
        await options.sleep(wait);
    }
    return last;
}
function startRelay(options) {
    const answer = (response, status, text) => {
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    const server = node_http__WEBPACK_IMPORTED_MODULE_1___default().createServer((request, response) => {
        if (request.method !== 'POST' || !['/', '/alertmanager'].includes(request.url ?? '')) {
            answer(response, 404, 'POST the Alertmanager webhook to /alertmanager');
            return;
        }
        if (options.secret !== undefined && !secretMatches(request.headers.authorization, options.secret)) {
            options.log(`refused a notification without the shared secret from ${request.socket.remoteAddress}`);
            answer(response, 401, 'the relay needs its shared secret: set http_config.authorization in Alertmanager');
            return;
        }
        if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
            answer(response, 413, `the body exceeds ${MAX_BODY_BYTES} bytes: set max_alerts on the webhook receiver`);
            request.resume();
            return;
        }
        const chunks = [];
        let size = 0;
        let tooBig = false;
        request.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES)
                tooBig = true;
            else
                chunks.push(chunk);
        });
        request.on('end', () => {
            if (tooBig) {
                answer(response, 413, `the body exceeds ${MAX_BODY_BYTES} bytes: set max_alerts on the webhook receiver`);
                return;
            }
            let body;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            }
            catch {
                answer(response, 400, 'the body is not JSON');
                return;
            }
            const parsed = _alerts_alertmanager_js__WEBPACK_IMPORTED_MODULE_2__/* .notificationSchema */ .bd.safeParse(body);
            if (!parsed.success) {
                const issue = parsed.error.issues[0];
                answer(response, 400, `not an Alertmanager webhook body (version 4): ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
                return;
            }
            // Alert names are the monitored system's words: quoted, so they cannot fake a log line.
            const names = [...new Set(parsed.data.alerts.map((alert) => alert.labels.alertname ?? '?'))]
                .slice(0, 5)
                .map((name) => JSON.stringify(name.slice(0, 100)))
                .join(', ');
            forward(body, (0,_alerts_alertmanager_js__WEBPACK_IMPORTED_MODULE_2__/* .groupId */ .V_)(parsed.data.groupKey), options)
                .then((result) => {
                if (result.status >= 200 && result.status < 300) {
                    options.log(`forwarded ${parsed.data.status} ${names} to ${options.repo.owner}/${options.repo.name}`);
                    answer(response, 200, 'forwarded');
                }
                else {
                    options.log(`GitHub refused ${names}: ${result.status} ${result.message ?? ''}`.trim());
                    // 422: GitHub will never take this body (too big, say); anything else may pass later.
                    answer(response, result.status === 422 ? 400 : 502, `GitHub answered ${result.status || 'nothing'}: ${result.message ?? ''}`.trim());
                }
            })
                .catch((error) => answer(response, 502, `the relay failed: ${String(error)}`));
        });
    });
    // A client that trickles its request ties up nothing for long.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.maxHeadersCount = 50;
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
            const address = server.address();
            resolve({
                url: `http://${address.address}:${address.port}/alertmanager`,
                close: () => new Promise((done) => server.close(() => done())),
            });
        });
    });
}


/***/ })

};

//# sourceMappingURL=311.index.js.map