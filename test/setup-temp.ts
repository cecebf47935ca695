/** vitest setupFiles: whatever tempDir made in a test file is gone when the file ends. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);
