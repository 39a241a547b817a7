import { PGlite } from '@electric-sql/pglite';
let t=Date.now();
const a = await PGlite.create();
console.log('create', Date.now()-t); t=Date.now();
await a.query('create table x(i int)');
const b = await a.clone();
console.log('clone', Date.now()-t); t=Date.now();
console.log((await b.query('select count(*) from x')).rows);
