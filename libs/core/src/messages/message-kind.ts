export type MessageKind = 'command' | 'query' | 'event';
