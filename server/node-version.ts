/** The oldest Node meshdns runs on (package.json "engines"): process.execve, module.enableCompileCache. */
export const NODE_REQUIRED = '22.19';

/** One line saying why this Node cannot run meshdns, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = NODE_REQUIRED.split('.').map(Number) as [number, number];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `meshdns needs Node >= ${NODE_REQUIRED}; this is Node ${version.replace(/^v/, '')} ` +
    '(in a checkout, `npm start` and node_modules/.bin/node run the Node 24 the project pins)';
}
