/**
 * Shell completion scripts made from the program itself (its commands, subcommands and
 * options), so they never drift from what the CLI accepts.
 */
import type { Command } from 'commander';

interface Node {
  path: string[];
  commands: string[];
  options: string[];
}

function walk(cmd: Command, path: string[], globals: string[]): Node[] {
  const options = [
    ...globals,
    ...cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => typeof f === 'string')),
    '--help',
  ];
  const here: Node = { path, commands: cmd.commands.map((c) => c.name()), options: [...new Set(options)] };
  return [here, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()], globals))];
}

function tree(program: Command): Node[] {
  const globals = program.options.flatMap((o) => [o.short, o.long].filter((f): f is string => typeof f === 'string'));
  return walk(program, [], globals);
}

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const nodes = tree(program);
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.commands, ...n.options].join(' ')}" ;;`)
    .join('\n');
  const body = `_asodesk_omni() {
  local cur path="" w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case " $(_asodesk_omni_words "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  COMPREPLY=($(compgen -W "$(_asodesk_omni_words "$path")" -- "$cur"))
}
_asodesk_omni_words() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}`;
  if (shell === 'bash')
    return `# asodesk-omni completion for bash\n${body}\ncomplete -o default -F _asodesk_omni asodesk-omni\n`;
  // zsh runs the bash function through bashcompinit: one script, the same words.
  return `#compdef asodesk-omni\n# asodesk-omni completion for zsh\nautoload -U +X bashcompinit && bashcompinit\n${body}\ncomplete -o default -F _asodesk_omni asodesk-omni\n`;
}
