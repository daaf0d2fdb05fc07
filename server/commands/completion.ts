import type { Command } from 'commander';
import { processIo, UsageError, type Io } from './program.js';

/** Options whose value is a path: completed with file names. */
const PATH_OPTIONS = ['--config', '-c', '--token-file', '--data', '--out', '--cert', '--zone-dir', '--kubeconfig'];

interface Words {
  /** command path below the program ('' for the program) → what may come next there */
  next: Map<string, string[]>;
  /** every option that takes a value (its next word is not a command) */
  valued: Set<string>;
  /** the commands whose first argument is a ZONE: completed with the served zones' names */
  zoneFirst: string[];
}

/** The options that say which server to ask; completion passes them on to `zone list --names`. */
const CONNECTION_OPTIONS = ['--server', '--token', '--token-file', '--config', '-c', '--data'];

/** The command tree as words, read from commander so the script never lags behind the commands. */
function commandWords(program: Command): Words {
  const next = new Map<string, string[]>();
  const valued = new Set<string>();
  const zoneFirst: string[] = [];
  const walk = (cmd: Command, path: string) => {
    const words = cmd.commands.filter((c) => c.name() !== 'help').map((c) => c.name());
    for (const o of cmd.options) {
      for (const flag of [o.long, o.short]) if (flag) words.push(flag);
      if (o.required || o.optional) for (const flag of [o.long, o.short]) if (flag) valued.add(flag);
    }
    words.push('--help');
    next.set(path, words);
    if (/^ZONE/.test(cmd.registeredArguments[0]?.name() ?? '')) zoneFirst.push(path);
    for (const c of cmd.commands) if (c.name() !== 'help') walk(c, path === '' ? c.name() : `${path} ${c.name()}`);
  };
  walk(program, '');
  return { next, valued, zoneFirst };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashScript(program: Command): string {
  const { next, valued, zoneFirst } = commandWords(program);
  const cases = [...next].map(([path, words]) => `    ${quote(path)}) words=${quote(words.join(' '))} ;;`).join('\n');
  return `# bash completion for meshdns: eval "$(meshdns completion bash)" in ~/.bashrc,
# or save it as /etc/bash_completion.d/meshdns
_meshdns() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmdpath='' words='' word i skip=0 positional=0
  local -a conn=()
  case " ${PATH_OPTIONS.join(' ')} " in *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  case " ${[...valued].join(' ')} " in *" $prev "*) COMPREPLY=(); return ;; esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if ((skip)); then
      skip=0
      case " ${CONNECTION_OPTIONS.join(' ')} " in *" \${COMP_WORDS[i-1]} "*) conn+=("\${COMP_WORDS[i-1]}" "$word") ;; esac
      continue
    fi
    case " ${[...valued].join(' ')} " in *" $word "*) skip=1; continue ;; esac
    case $word in -*) continue ;; esac
    case " $(_meshdns_next "$cmdpath") " in *" $word "*) cmdpath=\${cmdpath:+$cmdpath }$word; continue ;; esac
    positional=$((positional + 1))
  done
  # the first argument of a zone command: the zones the server serves (asked with the options given so far)
  if ((positional == 0)) && [[ $cur != -* ]]; then
    case $cmdpath in
      ${zoneFirst.map(quote).join('|')})
        COMPREPLY=($(compgen -W "$("\${COMP_WORDS[0]}" zone list --names "\${conn[@]}" 2>/dev/null)" -- "$cur"))
        return ;;
    esac
  fi
  words=$(_meshdns_next "$cmdpath")
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
_meshdns_next() {
  local words=''
  case $1 in
${cases}
  esac
  printf '%s' "$words"
}
complete -o default -F _meshdns meshdns
`;
}

export function zshScript(program: Command): string {
  const { next, valued, zoneFirst } = commandWords(program);
  const cases = [...next].map(([path, words]) => `    ${quote(path)}) reply=(${words.map(quote).join(' ')}) ;;`).join('\n');
  return `#compdef meshdns
# zsh completion for meshdns: save it as _meshdns in a folder of $fpath,
# or source <(meshdns completion zsh) after compinit
_meshdns_next() {
  case $1 in
${cases}
    *) reply=() ;;
  esac
}
_meshdns() {
  local cmdpath='' word i skip=0 positional=0
  local -a reply valued conn connection
  valued=(${[...valued].map(quote).join(' ')})
  connection=(${CONNECTION_OPTIONS.map(quote).join(' ')})
  if (( \${+words[CURRENT-1]} )) && (( \${valued[(Ie)\${words[CURRENT-1]}]} )); then
    case \${words[CURRENT-1]} in
      ${PATH_OPTIONS.join('|')}) _files ;;
    esac
    return
  fi
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if (( skip )); then
      skip=0
      if (( \${connection[(Ie)\${words[i-1]}]} )); then conn+=("\${words[i-1]}" "$word"); fi
      continue
    fi
    if (( \${valued[(Ie)$word]} )); then skip=1; continue; fi
    [[ $word == -* ]] && continue
    _meshdns_next "$cmdpath"
    if (( \${reply[(Ie)$word]} )); then cmdpath=\${cmdpath:+$cmdpath }$word; continue; fi
    (( positional++ ))
  done
  if (( positional == 0 )) && [[ \${words[CURRENT]} != -* ]]; then
    case $cmdpath in
      ${zoneFirst.map(quote).join('|')})
        compadd -- \${(f)"$(\${words[1]} zone list --names "\${conn[@]}" 2>/dev/null)"}
        return ;;
    esac
  fi
  _meshdns_next "$cmdpath"
  compadd -- "\${reply[@]}"
}
if [[ \${funcstack[1]} == _meshdns ]]; then _meshdns "$@"; else compdef _meshdns meshdns; fi
`;
}

/** `meshdns completion bash|zsh` */
export function registerCompletion(program: Command, io: Io = processIo): void {
  program.command('completion').summary('print a shell completion script (bash or zsh)')
    .description('Print a completion script for SHELL. bash: eval "$(meshdns completion bash)" in ~/.bashrc.\n' +
      'zsh: meshdns completion zsh > "${fpath[1]}/_meshdns", or source <(meshdns completion zsh) after compinit.')
    .argument('<SHELL>', 'bash or zsh')
    .action((shell: string) => {
      if (shell === 'bash') io.out(bashScript(program));
      else if (shell === 'zsh') io.out(zshScript(program));
      else throw new UsageError(`SHELL "${shell}" is not bash or zsh`);
    });
}
