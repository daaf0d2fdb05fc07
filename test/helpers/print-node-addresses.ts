import { globalInterfaceAddresses, interfaceAddresses } from '../../k8s/agent/interfaces.js';

/** Run inside a network namespace by the agent's netns test: what the agent sees and what it keeps. */
process.stdout.write(JSON.stringify({ seen: interfaceAddresses(), kept: globalInterfaceAddresses() }));
