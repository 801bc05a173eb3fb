import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/*
 * The password rules of the profiles module (8–128 characters, letters + numbers + symbols, not a
 * common password) and a strength estimate from zxcvbn-ts, loaded on first use: its dictionaries are
 * large and no other route needs them. zxcvbn-ts is not bundled (serverless.yml custom.esbuild.external,
 * packed as node_modules where a bundle requires it), so even login's bundle does not carry them.
 */
export const PASSWORD_RULES = {
  minLength: 8,
  maxLength: 128,
  requireLetters: true,
  requireNumbers: true,
  requireSymbols: true,
  commonPasswordsCheck: true,
} as const;

export const POLICY_MESSAGE = 'Su contraseña debe tener al menos 8 caracteres, contener letras, números y símbolos';

const SPANISH = {
  warnings: {
    straightRow: 'Las filas seguidas del teclado son fáciles de adivinar.',
    keyPattern: 'Los patrones cortos de teclado son fáciles de adivinar.',
    simpleRepeat: 'Los caracteres repetidos como "aaa" son fáciles de adivinar.',
    extendedRepeat: 'Los patrones repetidos como "abcabcabc" son fáciles de adivinar.',
    sequences: 'Las secuencias como "abc" son fáciles de adivinar.',
    recentYears: 'Los años recientes son fáciles de adivinar.',
    dates: 'Las fechas son fáciles de adivinar.',
    topTen: 'Es una de las contraseñas más usadas.',
    topHundred: 'Es una contraseña muy usada.',
    common: 'Es una contraseña común.',
    similarToCommon: 'Es similar a una contraseña común.',
    wordByItself: 'Una sola palabra es fácil de adivinar.',
    namesByThemselves: 'Los nombres y apellidos solos son fáciles de adivinar.',
    commonNames: 'Los nombres y apellidos comunes son fáciles de adivinar.',
    userInputs: 'No debe contener datos personales.',
    pwned: 'Esta contraseña apareció en una filtración de datos.',
  },
  suggestions: {
    l33t: 'Evite sustituciones previsibles de letras como "@" por "a".',
    reverseWords: 'Evite palabras comunes escritas al revés.',
    allUppercase: 'Ponga en mayúscula algunas letras, no todas.',
    capitalization: 'Use mayúsculas en otras posiciones además de la primera letra.',
    dates: 'Evite fechas que se relacionen con usted.',
    recentYears: 'Evite los años recientes.',
    associatedYears: 'Evite años relacionados con usted.',
    sequences: 'Evite secuencias de caracteres comunes.',
    repeated: 'Evite palabras y caracteres repetidos.',
    longerKeyboardPattern: 'Use patrones de teclado más largos y cambie de dirección varias veces.',
    anotherWord: 'Agregue más palabras poco comunes.',
    useWords: 'Use varias palabras, pero evite frases comunes.',
    noNeed: 'Puede crear contraseñas fuertes sin símbolos, números ni mayúsculas.',
    pwned: 'Si usa esta contraseña en otro sitio, cámbiela.',
  },
  timeEstimation: {
    ltSecond: 'menos de un segundo',
    second: '{base} segundo',
    seconds: '{base} segundos',
    minute: '{base} minuto',
    minutes: '{base} minutos',
    hour: '{base} hora',
    hours: '{base} horas',
    day: '{base} día',
    days: '{base} días',
    month: '{base} mes',
    months: '{base} meses',
    year: '{base} año',
    years: '{base} años',
    centuries: 'siglos',
  },
};

let estimator: Promise<{ zxcvbn: ZxcvbnFactory; common: Set<string> }> | undefined;
function loadEstimator() {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(([core, lang]) => ({
    zxcvbn: new core.ZxcvbnFactory({ dictionary: { ...lang.dictionary }, graphs: lang.adjacencyGraphs, translations: SPANISH }),
    common: new Set(lang.dictionary['passwords-common'].map((p) => String(p).toLowerCase())),
  }));
  return estimator;
}

export async function isCommonPassword(password: string): Promise<boolean> {
  const { common } = await loadEstimator();
  return common.has(password.toLowerCase());
}

/** Messages for every rule the password breaks; `full` adds the letters/numbers/symbols rule. */
export async function passwordProblems(password: string, opts: { full: boolean }): Promise<string[]> {
  const out: string[] = [];
  if (password.length < PASSWORD_RULES.minLength) out.push(`La contraseña debe tener al menos ${PASSWORD_RULES.minLength} caracteres.`);
  if (password.length > PASSWORD_RULES.maxLength) out.push(`La contraseña no debe superar los ${PASSWORD_RULES.maxLength} caracteres.`);
  if (opts.full) {
    if (!/\p{L}/u.test(password)) out.push('La contraseña debe contener al menos una letra.');
    if (!/\p{N}/u.test(password)) out.push('La contraseña debe contener al menos un número.');
    if (!/[^\p{L}\p{N}\s]/u.test(password)) out.push('La contraseña debe contener al menos un símbolo.');
  }
  if (password.length <= PASSWORD_RULES.maxLength && (await isCommonPassword(password))) out.push('La contraseña es demasiado común.');
  return out;
}

export interface StrengthReport {
  isStrong: boolean;
  score: number;
  suggestions: string[];
}

/**
 * Score on a 0–10 scale (the spec's example shows 8 for a good password): zxcvbn's 0–4 doubled, plus
 * one point for 12+ characters and one for using letters, numbers and symbols together.
 */
export async function passwordStrength(password: string, userInputs: string[] = []): Promise<StrengthReport> {
  const { zxcvbn } = await loadEstimator();
  const problems = await passwordProblems(password, { full: true });
  const result = zxcvbn.check(password.slice(0, PASSWORD_RULES.maxLength), userInputs);
  const allClasses = /\p{L}/u.test(password) && /\p{N}/u.test(password) && /[^\p{L}\p{N}\s]/u.test(password);
  const score = result.score * 2 + (password.length >= 12 ? 1 : 0) + (allClasses ? 1 : 0);
  const suggestions = [...problems];
  if (result.feedback.warning) suggestions.push(result.feedback.warning);
  for (const s of result.feedback.suggestions) if (!suggestions.includes(s)) suggestions.push(s);
  const isStrong = problems.length === 0 && result.score >= 3;
  return { isStrong, score, suggestions: isStrong ? [] : suggestions };
}
