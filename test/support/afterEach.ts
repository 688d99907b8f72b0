import { closeAllPools } from '../../nodes/SmtpConnector/delivery/pool';
import { deliveryWorker } from '../../nodes/SmtpConnector/delivery/workerChannel';

// Built from the sources by test/support/buildWorker.js (jest's globalSetup).
deliveryWorker.script = process.env.SMTP_CONNECTOR_TEST_WORKER!;

// Warm pools outlive an execution on purpose; a test file closes them when it is done.
afterAll(() => closeAllPools());
