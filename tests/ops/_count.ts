import { packagedTemplate } from './stack';
packagedTemplate('prod').then((t) => { const r = Object.values(t.Resources); console.log(r.length, r.filter((x) => x.Type === 'AWS::Lambda::Function').length, Object.values(t.Resources).filter((x:any)=>x.Type==='AWS::Lambda::Function').reduce((s:number,x:any)=>s+x.Properties.ReservedConcurrentExecutions,0)); });
