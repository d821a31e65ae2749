import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * Finds every error `code` the product can answer, by reading its TypeScript sources (the syntax
 * tree, so comments, messages and line breaks never fool it):
 *  - error classes (AppError and every class that extends it, wherever declared): the code passed
 *    to `new XError(...)` at the class's code position, or the class's default code when none is
 *    passed; a class's status comes from its `super(status, ...)` call;
 *  - helpers that pass one of their parameters on as that code (`invalid(message, code)` ->
 *    `new ValidationError(message, code)`): the code is read at each call of the helper;
 *  - JSON answers written by hand: a `code: '<literal>'` property in an object literal.
 * A code argument that is neither a literal nor such a parameter is reported as a problem: codes
 * stay literal so that the catalogue can be checked.
 */

export interface SourceFile {
  /** Where the file is, for the reports (e.g. `channel-service/src/domain/modes.ts`). */
  name: string;
  text: string;
}

export interface CodeUse {
  code: string;
  /** Known when the code comes from an error class (its `super(status, ...)`). */
  status?: number;
  /** `file:line`. */
  at: string;
}

export interface ScanResult {
  uses: CodeUse[];
  /** Code arguments the scanner could not resolve to a literal. */
  problems: string[];
}

interface ErrorClass {
  status?: number;
  /** Index of the code among the constructor's arguments; undefined when the class fixes it. */
  codeIndex?: number;
  /** The code when the argument is left out, or the fixed one. */
  defaultCode?: string;
}

const ROOT_CLASS = 'AppError';

function literal(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

const lineOf = (sf: ts.SourceFile, node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

/** AppError itself: `new AppError(status, code, message)`. */
const rootClass: ErrorClass = { codeIndex: 1 };

/** Reads the error classes declared in the files: AppError's subclasses, to any depth. */
function errorClasses(sources: ts.SourceFile[]): Map<string, ErrorClass> {
  const classes = new Map<string, ErrorClass>([[ROOT_CLASS, rootClass]]);
  const declared: Array<{ name: string; parent: string; node: ts.ClassDeclaration }> = [];
  for (const sf of sources) {
    walk(sf, (n) => {
      if (!ts.isClassDeclaration(n) || !n.name) return;
      const parent = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      if (parent && ts.isIdentifier(parent)) declared.push({ name: n.name.text, parent: parent.text, node: n });
    });
  }
  // Parents before children, whatever the file order.
  for (let changed = true; changed;) {
    changed = false;
    for (const d of declared) {
      const parent = classes.get(d.parent);
      if (!parent || classes.has(d.name)) continue;
      classes.set(d.name, subclass(d.node, parent, d.parent === ROOT_CLASS));
      changed = true;
    }
  }
  return classes;
}

function subclass(node: ts.ClassDeclaration, parent: ErrorClass, parentIsRoot: boolean): ErrorClass {
  const ctor = node.members.find(ts.isConstructorDeclaration);
  if (!ctor?.body) return parent; // the parent's constructor, unchanged
  let superCall: ts.CallExpression | undefined;
  walk(ctor.body, (n) => {
    if (!superCall && ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) superCall = n;
  });
  if (!superCall) return parent;
  const status = parentIsRoot ? Number((superCall.arguments[0] as ts.NumericLiteral | undefined)?.text) : parent.status;
  const result: ErrorClass = { status: Number.isFinite(status) ? status : undefined };
  if (parent.codeIndex === undefined) return { ...result, defaultCode: parent.defaultCode };
  const arg = superCall.arguments[parent.codeIndex];
  const fixed = literal(arg);
  if (fixed !== undefined) return { ...result, defaultCode: fixed };
  if (arg === undefined) return { ...result, defaultCode: parent.defaultCode };
  const index = ctor.parameters.findIndex((p) => ts.isIdentifier(p.name) && ts.isIdentifier(arg) && p.name.text === arg.text);
  if (index < 0) return { ...result, defaultCode: parent.defaultCode };
  return { ...result, codeIndex: index, defaultCode: literal(ctor.parameters[index].initializer) };
}

/** The function (declaration, or arrow/function expression bound to a name) a node sits in. */
function enclosingFunction(node: ts.Node): { name: string; parameters: ts.NodeArray<ts.ParameterDeclaration> } | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) && n.name) return { name: n.name.text, parameters: n.parameters };
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name)) {
      return { name: n.parent.name.text, parameters: n.parameters };
    }
    if (ts.isFunctionLike(n)) return undefined;
  }
  return undefined;
}

export function scanSources(files: SourceFile[]): ScanResult {
  const sources = files.map((f) => ts.createSourceFile(f.name, f.text, ts.ScriptTarget.Latest, true));
  const classes = errorClasses(sources);
  const uses: CodeUse[] = [];
  const problems: string[] = [];

  for (const sf of sources) {
    // Helpers of this file that forward a parameter as an error's code: name -> [parameter index, status].
    const forwarders = new Map<string, { index: number; status?: number }>();
    walk(sf, (n) => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && classes.has(n.expression.text)) {
        const cls = classes.get(n.expression.text)!;
        const at = `${sf.fileName}:${lineOf(sf, n)}`;
        const status =
          cls.status ??
          (cls === rootClass ? Number(literal(n.arguments?.[0]) ?? (n.arguments?.[0] as ts.NumericLiteral)?.text) : undefined);
        const arg = cls.codeIndex === undefined ? undefined : n.arguments?.[cls.codeIndex];
        const code = arg === undefined ? cls.defaultCode : literal(arg);
        if (code !== undefined) {
          uses.push({ code, status: Number.isFinite(status) ? status : undefined, at });
          return;
        }
        const fn = arg && ts.isIdentifier(arg) ? enclosingFunction(n) : undefined;
        const index = fn?.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === (arg as ts.Identifier).text) ?? -1;
        if (fn && index >= 0) forwarders.set(fn.name, { index, status: Number.isFinite(status) ? status : undefined });
        else problems.push(`${at}: new ${n.expression.text}(...) with a code that is not a literal: ${arg?.getText(sf) ?? '(none)'}`);
      } else if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && n.name.text === 'code') {
        const code = literal(n.initializer);
        // `code: 'x'` in an object literal is an answer written by hand; ZodIssueCode and the like are not literals.
        if (code !== undefined && ts.isObjectLiteralExpression(n.parent)) uses.push({ code, at: `${sf.fileName}:${lineOf(sf, n)}` });
      }
    });
    if (forwarders.size === 0) continue;
    walk(sf, (n) => {
      if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression)) return;
      const f = forwarders.get(n.expression.text);
      if (!f) return;
      const at = `${sf.fileName}:${lineOf(sf, n)}`;
      const code = literal(n.arguments[f.index]);
      if (code !== undefined) uses.push({ code, status: f.status, at });
      else
        problems.push(
          `${at}: ${n.expression.text}(...) with a code that is not a literal: ${n.arguments[f.index]?.getText(sf) ?? '(none)'}`,
        );
    });
  }
  return { uses, problems };
}

/** Every `<dir>/src` and `libraries/<lib>/src` TypeScript file under `root` (no declaration files, no builds). */
export function productSources(root: string): SourceFile[] {
  const dirs = [
    ...fs.readdirSync(root).map((d) => path.join(root, d, 'src')),
    ...fs.readdirSync(path.join(root, 'libraries')).map((d) => path.join(root, 'libraries', d, 'src')),
  ].filter((d) => fs.existsSync(d) && fs.statSync(d).isDirectory());
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => path.join(dir, f))
      .map((file) => ({ name: path.relative(root, file), text: fs.readFileSync(file, 'utf8') })),
  );
}

export interface CatalogueEntry {
  code: string;
  statuses: number[];
  meaning: string;
  services: string;
}

/**
 * The rows of the "Error codes" table of structures.md: a code in backquotes, its status(es)
 * (several as `408, 503`), its meaning and the services that answer it.
 */
export function readCatalogue(markdown: string): CatalogueEntry[] {
  const start = markdown.search(/^#+ .*Error codes\s*$/m);
  if (start < 0) return [];
  const rest = markdown.slice(start);
  const body = rest.indexOf('\n') + 1;
  const next = rest.slice(body).search(/^#+ /m);
  const section = next < 0 ? rest : rest.slice(0, body + next);
  return [...section.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$/gm)].map((m) => ({
    code: m[1],
    statuses: [...m[2].matchAll(/\d{3}/g)].map((s) => Number(s[0])),
    meaning: m[3].trim(),
    services: m[4].trim(),
  }));
}
