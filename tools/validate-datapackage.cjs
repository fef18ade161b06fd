#!/usr/bin/env node
// Validates data packages with the Frictionless Data JavaScript libraries
// (datapackage and tableschema, from frictionlessdata): the descriptor
// against its profile (tabular-data-package, tabular-data-resource), then
// every row of every resource against its Table Schema (types, formats,
// missing values). CSV resources are read by datapackage-js itself; JSON
// Lines resources, which it does not read, are parsed line by line and
// each value is cast by tableschema's Field.
//
// Usage: node tools/validate-datapackage.cjs DIR [DIR…]  (each DIR holds a
// datapackage.json and its files). Prints one line per package; exits 1 on
// any error.
'use strict'
const fs = require('fs')
const path = require('path')
const readline = require('readline')
const {Package} = require('datapackage')
const {Schema} = require('tableschema')

async function validateJSONL(resource, file, errors) {
  const schema = await Schema.load(resource.descriptor.schema, {strict: true})
  const names = schema.fieldNames
  const rl = readline.createInterface({input: fs.createReadStream(file, {encoding: 'utf8'}), crlfDelay: Infinity})
  let n = 0
  for await (const line of rl) {
    n++
    if (line === '') continue
    let obj
    try {
      obj = JSON.parse(line)
    } catch (e) {
      errors.push(`${resource.name} line ${n}: not JSON (${e.message})`)
      continue
    }
    const keys = Object.keys(obj)
    if (keys.join(',') !== names.join(',')) errors.push(`${resource.name} line ${n}: keys ${keys} differ from the schema ${names}`)
    for (const field of schema.fields) {
      let value = obj[field.name]
      if (value !== null && typeof value !== 'string' && field.type !== 'integer' && field.type !== 'number' && field.type !== 'boolean') {
        errors.push(`${resource.name} line ${n}: ${field.name} is a JSON ${typeof value}`)
        continue
      }
      if (value !== null && field.type === 'integer' && !Number.isInteger(value)) {
        errors.push(`${resource.name} line ${n}: ${field.name} = ${JSON.stringify(value)} is not a JSON integer`)
        continue
      }
      if (value !== null && field.type === 'boolean' && typeof value !== 'boolean') {
        errors.push(`${resource.name} line ${n}: ${field.name} = ${JSON.stringify(value)} is not a JSON boolean`)
        continue
      }
      if (value === null) value = ''
      try {
        field.castValue(typeof value === 'string' ? value : String(value))
      } catch (e) {
        errors.push(`${resource.name} line ${n}: ${field.name} = ${JSON.stringify(obj[field.name])}: ${e.message}`)
      }
      if (errors.length > 20) return n
    }
  }
  return n
}

async function validateCSV(resource, file, errors) {
  const head = fs.readFileSync(file).subarray(0, 3)
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf && resource.descriptor.encoding !== 'utf-8') {
    errors.push(`${resource.name}: byte order mark with encoding ${resource.descriptor.encoding}`)
  }
  const table = await resource.table
  const headers = (await table.read({limit: 1, cast: false}), table.headers).map((h) => h.replace(/^\uFEFF/, ''))
  if (headers.join(',') !== resource.schema.fieldNames.join(',')) {
    errors.push(`${resource.name}: header ${headers} differs from the schema`)
  }
  const rows = await resource.read({keyed: false, cast: true, forceCast: true})
  rows.forEach((row, i) => {
    if (row instanceof Error) {
      const details = (row.errors || []).map((e) => e.message).join('; ')
      errors.push(`${resource.name} row ${i + 2}: ${row.message} ${details}`)
    }
  })
  return rows.length
}

async function main(dirs) {
  let failed = false
  for (const dir of dirs) {
    const errors = []
    const pkg = await Package.load(path.join(dir, 'datapackage.json'), {basePath: dir})
    if (!pkg.valid) errors.push(...pkg.errors.map((e) => 'descriptor: ' + e.message))
    if (pkg.descriptor.profile !== 'tabular-data-package') errors.push('descriptor: profile is not tabular-data-package')
    const counts = []
    for (const resource of pkg.resources) {
      if (!resource.valid) errors.push(...resource.errors.map((e) => `${resource.name}: ${e.message}`))
      if (!resource.tabular) errors.push(`${resource.name}: not a tabular-data-resource`)
      const file = path.join(dir, resource.descriptor.path)
      const format = resource.descriptor.format
      if (format === 'csv') counts.push(`${resource.name} ${await validateCSV(resource, file, errors)}`)
      else if (format === 'jsonl') counts.push(`${resource.name} ${await validateJSONL(resource, file, errors)}`)
      else errors.push(`${resource.name}: unknown format ${format}`)
    }
    if (errors.length) {
      failed = true
      console.log(`INVALID ${dir}`)
      for (const e of errors.slice(0, 30)) console.log('  ' + e)
    } else {
      console.log(`valid ${dir} (${counts.join(', ')} rows)`)
    }
  }
  process.exit(failed ? 1 : 0)
}

main(process.argv.slice(2)).catch((e) => {
  console.log('ERROR ' + (e.stack || e))
  process.exit(2)
})
