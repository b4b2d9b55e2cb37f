import { FileListBuilder, type FileList } from './file-list.ts';
import type { ArchiveFile } from './walk.ts';

/** `files` packed as a scan packs what its walk finds, for the tests of the list and its readers. */
export function packFiles(files: Iterable<ArchiveFile>): FileList {
  const builder = new FileListBuilder();
  for (const file of files) builder.add(file);
  return builder.build();
}
