import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { gzipSync } from 'node:zlib';
const b = await rollup({ input: 'src/browser/script.ts', plugins: [nodeResolve({ browser: true }), typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: '/tmp/sz', sourceMap: false, noEmitOnError:false }), terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } })], onwarn(){} });
const { output } = await b.generate({ format: 'iife' });
console.log(gzipSync(output[0].code, { level: 9 }).length);
