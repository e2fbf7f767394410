/** The shipped examples (examples/explorer/*.c): what each shows and how it starts. */
export interface Example {
  name: string;
  title: string;
  args: string;
  env: string;
  files: Record<string, string>;
}

export const EXAMPLES: readonly Example[] = [
  { name: 'hello', title: 'hello: args, env, stdout', args: 'from the explorer', env: 'NAME=learner', files: {} },
  { name: 'copy', title: 'copy a file', args: 'in.txt out.txt', env: '', files: { '/in.txt': 'Bytes to copy, from in.txt to out.txt.\n' } },
  {
    name: 'walk', title: 'walk a directory', args: '.', env: '',
    files: { '/docs/readme.txt': 'read me\n', '/docs/notes/todo.txt': 'walk the tree\n', '/data.csv': 'a,b\n1,2\n' },
  },
  { name: 'clock', title: 'clocks, poll and sleep', args: '', env: '', files: {} },
  { name: 'fail', title: 'fail with an errno', args: 'missing.txt', env: '', files: {} },
  { name: 'upper', title: 'type to stdin', args: '', env: '', files: {} },
  { name: 'spin', title: 'spin forever (Stop it)', args: '', env: '', files: {} },
];
