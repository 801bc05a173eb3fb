import { closePool } from '../../lib/db/pool';
import { closeOwner } from './fixtures';

afterAll(async () => {
  await closePool();
  await closeOwner();
});
