/**
 * Whether a request's body carries an attribute about the person: `personal` (name, e-mail,
 * phone, age) or `ctmrinfo` (customer id, user name, IMEI, balance). The body is lp-ea's own
 * JSON, so a type is written exactly so; a value that contains these words has its quotes
 * escaped and cannot match.
 */
export const carriesPersonalData = (body: string): boolean => /"type":"(personal|ctmrinfo)"/.test(body);
