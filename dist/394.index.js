export const id = 394;
export const ids = [394];
export const modules = {

/***/ 9394:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseRunbook: () => (/* binding */ parseRunbook)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/* harmony import */ var _commands_registry_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(927);
/* harmony import */ var _runbook_schema_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3569);



const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
/**
 * Parses and validates a runbook YAML file. Every error names the field path and, where the
 * YAML has it, the line, so that the person editing the file knows what to fix.
 */
function parseRunbook(source, fileName) {
    const lineCounter = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    const document = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
        return {
            ok: false,
            errors: document.errors.map((error) => {
                const line = lineCounter.linePos(error.pos[0]).line;
                return `${fileName}${line ? `:${line}` : ''}: YAML syntax error: ${error.message.split('\n')[0]}`;
            }),
        };
    }
    const parsed = _runbook_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .runbookSchema */ .qq.safeParse(document.toJS());
    if (!parsed.success) {
        return { ok: false, errors: describeIssues(parsed.error.issues, document, lineCounter, fileName) };
    }
    const semanticErrors = checkReferences(parsed.data).map((error) => {
        const line = lineOf(document, lineCounter, error.path);
        return `${fileName}${line ? `:${line}` : ''}: ${error.path.join('.')}: ${error.message}`;
    });
    return semanticErrors.length > 0
        ? { ok: false, errors: semanticErrors }
        : { ok: true, runbook: parsed.data };
}
function describeIssues(issues, document, lineCounter, fileName) {
    return issues.map((issue) => {
        const path = issue.path.map(String);
        const line = lineOf(document, lineCounter, path);
        const where = path.length > 0 ? path.join('.') : '(top level)';
        return `${fileName}${line ? `:${line}` : ''}: ${where}: ${issue.message}`;
    });
}
/** The line of the deepest key (or list item) that exists along `path`. */
function lineOf(document, lineCounter, path) {
    const lineAt = (node) => (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isNode */ .Ll)(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
    let node = document.contents;
    let line = lineAt(node);
    for (const segment of path) {
        if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(node)) {
            const pair = node.items.find((item) => (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(item.key) && String(item.key.value) === segment);
            if (!pair)
                break;
            line = lineAt(pair.key) ?? line;
            node = pair.value;
        }
        else if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isSeq */ .oP)(node)) {
            node = node.items[Number(segment)];
            if (node === undefined)
                break;
            line = lineAt(node) ?? line;
        }
        else {
            break;
        }
    }
    return line;
}
function checkReferences(runbook) {
    const errors = [];
    for (const [name, command] of Object.entries(runbook.commands)) {
        const at = (...rest) => ['commands', name, ...rest];
        if (_commands_registry_js__WEBPACK_IMPORTED_MODULE_1__/* .RESERVED_COMMANDS */ .Ap.includes(name)) {
            errors.push({ path: at(), message: `"${name}" is a built-in command and cannot be redefined` });
        }
        if (!runbook.targets[command.target]) {
            errors.push({
                path: at('target'),
                message: `unknown target "${command.target}"; define it under "targets"`,
            });
        }
        const argsByName = new Map(command.args.map((arg) => [arg.name, arg]));
        command.args.forEach((arg, index) => {
            const problem = defaultProblem(arg);
            if (problem)
                errors.push({ path: at('args', String(index), 'default'), message: problem });
        });
        const steps = command.check ? [...command.steps, command.check] : command.steps;
        steps.forEach((step, index) => {
            const stepPath = index < command.steps.length ? at('steps', String(index)) : at('check');
            for (const match of step.run.matchAll(PLACEHOLDER)) {
                const argName = match[1] ?? '';
                const arg = argsByName.get(argName);
                if (!arg) {
                    errors.push({
                        path: [...stepPath, 'run'],
                        message: `"{{ ${argName} }}" names no argument of "${name}"`,
                    });
                }
                else if (!arg.required && arg.default === undefined && arg.kind !== 'flag') {
                    errors.push({
                        path: [...stepPath, 'run'],
                        message: `"{{ ${argName} }}" may have no value: make "${argName}" required or give it a default`,
                    });
                }
                if (insideQuotes(step.run, match.index ?? 0)) {
                    errors.push({
                        path: [...stepPath, 'run'],
                        message: `"{{ ${argName} }}" is already quoted when it expands; remove the surrounding quotes`,
                    });
                }
            }
            for (const [argName, wanted] of Object.entries(step.when ?? {})) {
                const arg = argsByName.get(argName);
                if (!arg) {
                    errors.push({ path: [...stepPath, 'when', argName], message: `names no argument of "${name}"` });
                    continue;
                }
                const unknown = [wanted].flat().filter((value) => arg.values && !arg.values.includes(value));
                if (unknown.length > 0) {
                    errors.push({
                        path: [...stepPath, 'when', argName],
                        message: `${unknown.join(', ')} is not one of ${arg.values?.join(', ')}`,
                    });
                }
            }
        });
    }
    return errors;
}
/** Whether position `index` of a shell script lies inside single or double quotes. */
function insideQuotes(script, index) {
    let quote;
    for (let position = 0; position < index; position += 1) {
        const char = script[position];
        if (char === '\\' && quote !== "'")
            position += 1;
        else if (quote && char === quote)
            quote = undefined;
        else if (!quote && (char === '"' || char === "'"))
            quote = char;
    }
    return quote !== undefined;
}
/** A default must pass the argument's own rule, since it reaches the host the same way. */
function defaultProblem(arg) {
    if (arg.default === undefined)
        return undefined;
    const value = String(arg.default);
    if (arg.type === 'integer') {
        if (typeof arg.default !== 'number')
            return `the default of "${arg.name}" must be a whole number`;
        if ((arg.min !== undefined && arg.default < arg.min) ||
            (arg.max !== undefined && arg.default > arg.max)) {
            return `the default ${value} of "${arg.name}" is outside ${arg.min ?? '…'}–${arg.max ?? '…'}`;
        }
        return undefined;
    }
    if (arg.values && !arg.values.includes(value))
        return `the default "${value}" of "${arg.name}" is not one of its values`;
    if (arg.pattern && !new RegExp(`^(?:${arg.pattern})$`, 'u').test(value)) {
        return `the default "${value}" of "${arg.name}" does not match its pattern`;
    }
    return undefined;
}


/***/ })

};

//# sourceMappingURL=394.index.js.map