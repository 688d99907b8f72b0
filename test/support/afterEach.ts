import { closeAllPools } from '../../nodes/SmtpConnector/delivery/pool';

// Warm pools outlive an execution on purpose; a test file closes them when it is done.
afterAll(() => closeAllPools());
