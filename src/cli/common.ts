// What every command shares: namespace resolution, error reporting, output.
import { Option } from 'commander';
import { defaultHost } from '../config/fleet.js';
import { formatChoices, type Output, type Subject } from '../plan/render/formats.js';

// Errors and durations have their own modules; what commands imported from here stays importable.
export { reportError, runCommand, UserError } from './errors.js';
export { parseDuration } from './duration.js';
export { netnsPath, openConnection } from '../kernel/namespace.js';

/** --host HOST, the same for validate, plan, apply, watch and show --sources: which host's view of a fleet directory to use. */
export function hostOption(): Option {
  return new Option('--host <host>', "with a fleet directory (common/, groups/NAME/, hosts/HOST/): the host whose view to load (default: this machine's hostname); plain configs ignore it");
}

/** The host a command loads a fleet for: --host, else the hostname. */
export function hostOf(opts: { host?: string }): string {
  return opts.host ?? defaultHost();
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** -o/--output FORMAT for a command that shows `subject`: the choices are the output formats' table's. */
export function outputOption(subject: Subject, defaultFormat: string): Option {
  return new Option('-o, --output <format>', formatChoices(subject)).default(defaultFormat);
}

/** Where renderers write: stdout, stderr, colours when stdout is a terminal that takes them. */
export function stdOutput(): Output {
  return {
    write: (s) => void process.stdout.write(s),
    warn: (s) => void process.stderr.write(s),
    color: useColor(process.stdout),
  };
}
